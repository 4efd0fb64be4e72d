/**
 * The HTTP pipeline: the server initializer, request handler and guards, connection limits,
 * CORS, credentials, and the route tables of the HTTP API.
 *
 * <p>May depend on {@code transport} and on the domain packages its routes serve; not on the
 * other transports, which depend on it for the pipeline they plug into.
 */
package dev.herald.server.transport.http;
