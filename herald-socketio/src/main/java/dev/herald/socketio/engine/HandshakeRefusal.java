package dev.herald.socketio.engine;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why {@link EngineIoServer} refused a handshake (a request opening a session: a polling GET or a
 * WebSocket without {@code sid}), and its answer: the HTTP status, and an Engine.IO-style body
 * {@code {"code":3,"message":...}} (code 3 is the protocol's "Bad request"; the message tells the
 * cause). Refusals for load carry {@code Retry-After: 1}. Clients treat any of them as a transport
 * error and reconnect with their backoff.
 */
public enum HandshakeRefusal {
    /** The kept headers, query and path exceed {@link EngineIoConfig#maxHandshakeBytes()}. */
    TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Handshake too large"),
    /** The client's address has {@link EngineIoConfig#maxPendingPerAddress()} pending sessions. */
    ADDRESS_LIMIT(HttpResponseStatus.TOO_MANY_REQUESTS, "Too many pending sessions from this address"),
    /** {@link EngineIoConfig#maxPendingSessions()} or {@link EngineIoConfig#maxPendingBytes()} reached. */
    SERVER_LIMIT(HttpResponseStatus.SERVICE_UNAVAILABLE, "Too many pending sessions");

    private final HttpResponseStatus status;
    private final String message;

    HandshakeRefusal(HttpResponseStatus status, String message) {
        this.status = status;
        this.message = message;
    }

    /** The HTTP status of the answer: 431, 429 or 503. */
    public HttpResponseStatus status() {
        return status;
    }

    /** The {@code message} of the answer's body. */
    public String message() {
        return message;
    }
}
