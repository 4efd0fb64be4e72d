/**
 * What every transport shares: {@link TransportContext} (the services a connection needs),
 * {@link ChannelSession} (a session on a Netty channel), {@link StreamRequest} (which stream a
 * connection follows), {@link FloodGuard}, {@link OriginPolicy} (the one origin policy of every
 * entry point) and {@link ApiException} (an error answer with its status).
 *
 * <p>May depend on the domain ({@code auth}, {@code config}, {@code delivery}, {@code notify},
 * {@code store}, {@code broker}, {@code metrics}, {@code stream}), never on its subpackages:
 * {@code transport.http}, {@code transport.ws}, {@code transport.sse}, {@code transport.web}
 * and the Socket.IO binding depend on it.
 */
package dev.herald.server.transport;
