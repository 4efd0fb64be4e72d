package dev.herald.socketio.engine;

/**
 * Engine.IO v4 packet types, with their one-digit wire codes.
 *
 * <p>Immutable and thread-safe.
 */
public enum EnginePacketType {
    OPEN('0'),
    CLOSE('1'),
    PING('2'),
    PONG('3'),
    MESSAGE('4'),
    UPGRADE('5'),
    NOOP('6');

    private final char code;

    EnginePacketType(char code) {
        this.code = code;
    }

    /** The character that starts this packet on the wire. */
    public char code() {
        return code;
    }

    static EnginePacketType fromCode(char c) {
        return switch (c) {
            case '0' -> OPEN;
            case '1' -> CLOSE;
            case '2' -> PING;
            case '3' -> PONG;
            case '4' -> MESSAGE;
            case '5' -> UPGRADE;
            case '6' -> NOOP;
            default -> null;
        };
    }
}
