package dev.herald.socketio.engine;

/**
 * Input that is not a valid Engine.IO v4 packet or payload. The server answers it by closing the
 * session ("parse error"), as the protocol requires.
 */
public final class EngineDecodeException extends Exception {
    /** A malformed packet or payload; the message says what was wrong. */
    public EngineDecodeException(String message) {
        super(message);
    }
}
