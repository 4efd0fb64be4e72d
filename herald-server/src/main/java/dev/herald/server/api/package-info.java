/**
 * The HTTP API's routes: the route tables of notifications ({@link
 * dev.herald.server.api.NotificationRoutes}), chat ({@link dev.herald.server.api.ChatRoutes}),
 * the node's health, readiness, metrics and OpenAPI document ({@link
 * dev.herald.server.api.NodeRoutes}, with {@link dev.herald.server.api.NodeHealth}, what they
 * measure), what app backends may do to connections ({@link
 * dev.herald.server.api.BackendRoutes}) and the development-only routes ({@link
 * dev.herald.server.api.DevRoutes}). Handlers are thin: they translate a request into a call on
 * the domain and its result into an answer; validation of what is published lives in
 * {@code notify}, of chat in {@code chat}.
 *
 * <p>May depend on {@code transport.http} (the route table's contract: {@code Route},
 * {@code ApiRequest}, {@code ApiResponse}), {@code transport} ({@code ApiException}) and the
 * domain ({@code notify}, {@code chat}, {@code delivery}, {@code store}, {@code broker},
 * {@code auth}, {@code metrics}, {@code stream}); never on the other transports. Only the root
 * package, which wires the node, depends on it.
 */
package dev.herald.server.api;
