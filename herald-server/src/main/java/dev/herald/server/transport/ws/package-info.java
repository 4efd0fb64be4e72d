/**
 * Plain WebSocket endpoints: {@code /ws/notifications} and {@code /ws/chat}.
 *
 * <p>May depend on {@code transport}, {@code transport.http} (the endpoint and gate it plugs
 * into) and the domain.
 */
package dev.herald.server.transport.ws;
