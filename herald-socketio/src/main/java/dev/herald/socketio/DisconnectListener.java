package dev.herald.socketio;

/**
 * Told once when a socket leaves its namespace. Reasons are Socket.IO's:
 * {@code "client namespace disconnect"}, {@code "server namespace disconnect"},
 * {@code "transport close"}, {@code "transport error"}, {@code "ping timeout"},
 * {@code "parse error"}, {@code "forced close"}, {@code "server shutting down"}, and Herald's
 * {@code "transport buffer full"} (the client stopped reading; it may reconnect and recover).
 * Called on the connection's event loop; must not block.
 */
@FunctionalInterface
public interface DisconnectListener {
    void onDisconnect(SocketIoSocket socket, String reason);
}
