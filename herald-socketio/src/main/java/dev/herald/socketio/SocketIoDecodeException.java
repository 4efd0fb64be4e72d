package dev.herald.socketio;

/**
 * Input that is not a valid Socket.IO v5 packet (unknown type, bad namespace or ack id, payload
 * that is not JSON or not allowed for the type, misplaced or missing attachments). The server
 * closes the connection on it, as the protocol requires.
 */
public final class SocketIoDecodeException extends Exception {
    /** A malformed packet; the message says what was wrong. */
    public SocketIoDecodeException(String message) {
        super(message);
    }
}
