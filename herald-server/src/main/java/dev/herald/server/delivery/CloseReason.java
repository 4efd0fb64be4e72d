package dev.herald.server.delivery;

/**
 * Why the server closes a connection, with the WebSocket close code a client acts on.
 * Other transports map these onto their own signals (Socket.IO disconnect reasons, SSE end).
 * Documented in docs/protocol.md; the codes are part of the public protocol.
 */
public enum CloseReason {
    /** The server is shutting down: reconnect (to another node) and resume with the last seq. */
    SHUTDOWN(1001, "server shutting down, reconnect and resume"),
    /** No frame or pong from the client within the idle timeout. */
    IDLE_TIMEOUT(4000, "idle timeout, reconnect and resume"),
    /** The token expired and no fresh one was sent: get a new token, then reconnect. */
    TOKEN_EXPIRED(4001, "token expired"),
    /** The client may no longer use this stream: do not reconnect with the same token. */
    FORBIDDEN(4003, "forbidden"),
    /** The client read too slowly and its outbound queue hit the cap: reconnect and resume. */
    SLOW_CONSUMER(4008, "outbound queue over its cap, reconnect and resume"),
    /** An app backend disconnected this user. */
    KICKED(4009, "disconnected by the server"),
    /** Too many frames from the client: reconnect later, with backoff. */
    RATE_LIMITED(4029, "too many messages");

    private final int code;
    private final String text;

    CloseReason(int code, String text) {
        this.code = code;
        this.text = text;
    }

    public int code() {
        return code;
    }

    public String text() {
        return text;
    }
}
