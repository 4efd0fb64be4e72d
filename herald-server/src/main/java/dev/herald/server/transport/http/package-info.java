/**
 * The HTTP plumbing: the server initializer, the router ({@link
 * dev.herald.server.transport.http.HttpRequestHandler}) with its request guard and body budget,
 * connection limits and the connection gate, CORS, credentials, the request's URI decoded once
 * ({@link dev.herald.server.transport.http.RequestTarget}) for the endpoints that take requests
 * over ({@link dev.herald.server.transport.http.HttpEndpoint}), and the contract of the route
 * table ({@link dev.herald.server.transport.http.Route}, {@link
 * dev.herald.server.transport.http.ApiRequest}, {@link dev.herald.server.transport.http.ApiResponse}),
 * which the router runs and the routes of {@code api} fill. The routes themselves are not here.
 *
 * <p>May depend on {@code transport}, {@code auth} (credentials), {@code metrics}, and on the
 * domain's refusals it maps to answers ({@code notify.ValidationException}, the store's
 * exceptions); never on {@code api} nor on the other transports, which depend on it for the
 * pipeline they plug into.
 */
package dev.herald.server.transport.http;
