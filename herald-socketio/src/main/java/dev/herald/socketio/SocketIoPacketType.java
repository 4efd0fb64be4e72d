package dev.herald.socketio;

/** Socket.IO v5 packet types with their wire digits. Immutable. */
public enum SocketIoPacketType {
    CONNECT,
    DISCONNECT,
    EVENT,
    ACK,
    CONNECT_ERROR,
    BINARY_EVENT,
    BINARY_ACK;

    /** The digit written on the wire. */
    public char code() {
        return (char) ('0' + ordinal());
    }

    static SocketIoPacketType fromCode(char c) {
        int i = c - '0';
        return i >= 0 && i < values().length ? values()[i] : null;
    }
}
