package dev.herald.socketio;

/**
 * Answers a client's acknowledgement request. Only the first {@link #send} is delivered; later
 * calls are ignored. Thread-safe: may be called from any thread, any time later.
 */
@FunctionalInterface
public interface Ack {
    /** Sends the ACK with these arguments ({@code byte[]} become binary attachments). */
    void send(Object... args);
}
