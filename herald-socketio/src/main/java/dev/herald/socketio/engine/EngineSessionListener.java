package dev.herald.socketio.engine;

/**
 * Receives what arrives on one Engine.IO session.
 *
 * <p>Threading: every method is called on the session's event loop ({@link EngineSession#eventLoop()}),
 * one call at a time. Implementations must not block.
 */
public interface EngineSessionListener {
    /** A MESSAGE packet with text. */
    void onMessage(EngineSession session, String text);

    /** A MESSAGE packet with binary data; the array belongs to the listener. */
    void onBinary(EngineSession session, byte[] data);

    /** The session closed; called once. {@code reason} is an Engine.IO close reason. */
    void onClose(EngineSession session, String reason);
}
