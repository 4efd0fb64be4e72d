package dev.herald.client;

import java.time.Duration;
import java.time.Instant;

/**
 * Lifecycle of the client's sockets. Every method has an empty default; override what you need.
 * Called on the client's event thread, one call at a time, in the order things happened (see
 * {@link HeraldClient}). A listener that throws is logged and ignored.
 */
public interface ConnectionListener {
    /** A first connection attempt starts. */
    default void onConnecting(Endpoint endpoint) {
    }

    /** Herald's {@code connected} frame arrived: the socket is live (after every reconnect too). */
    default void onConnected(Connected connected) {
    }

    /**
     * The socket reconnected and resumes after {@code since}: every notification (or, on chat,
     * message of each joined conversation) after it follows, each once. Comes right after
     * {@link #onConnected}.
     */
    default void onResumed(Endpoint endpoint, long since) {
    }

    /** A live socket ended, or the client stopped for good ({@code reason.reconnecting()} false). */
    default void onDisconnected(Endpoint endpoint, DisconnectReason reason) {
    }

    /**
     * Reconnect attempt {@code attempt} (1 for the first) starts after {@code delay}; {@code cause}
     * is why the previous attempt or connection failed, or null.
     */
    default void onReconnecting(Endpoint endpoint, int attempt, Duration delay, HeraldException cause) {
    }

    /** Herald accepted a new token sent over the socket; {@code expiresAt} is null for a token without {@code exp}. */
    default void onTokenRefreshed(Endpoint endpoint, Instant expiresAt) {
    }

    /** An {@code error} frame not tied to a request of yours (a refused {@code refresh}, a rate limit, ...). */
    default void onError(Endpoint endpoint, HeraldException error) {
    }
}
