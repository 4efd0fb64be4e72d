package dev.herald.socketio;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a socket may connect to a namespace (authentication, authorization), like
 * Socket.IO's {@code namespace.use((socket, next) => ...)}. May complete later (e.g. after a
 * token check on another executor): the connection waits, nothing blocks.
 *
 * <p>Threading: {@link #check} is called on the connection's event loop and must not block; the
 * returned stage may complete on any thread. Middlewares of a namespace run one after another in
 * registration order; the first failure refuses the connection with a CONNECT_ERROR packet whose
 * {@code message} (and {@code data}) come from a {@link ConnectRefusedException}; any other
 * exception is sent as {@code "Internal server error"} and logged.
 */
@FunctionalInterface
public interface ConnectMiddleware {
    CompletionStage<Void> check(SocketIoSocket socket);
}
