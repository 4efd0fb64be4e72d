package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One Socket.IO v5 packet. Binary attachments live inside {@code data} as
 * {@link com.fasterxml.jackson.databind.node.BinaryNode} leaves: the codec turns them into
 * placeholders and separate attachments on the wire, and back.
 *
 * @param type      packet type; EVENT and ACK are upgraded to their BINARY_ forms on encoding
 *                  when {@code data} holds binary
 * @param namespace namespace, {@code "/"} for the main one
 * @param ackId     acknowledgement id, or {@code null}
 * @param data      payload, or {@code null} (CONNECT without auth, DISCONNECT)
 */
public record SocketIoPacket(SocketIoPacketType type, String namespace, Long ackId, JsonNode data) {
    public SocketIoPacket {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(namespace, "namespace");
        if (!namespace.startsWith("/")) {
            throw new IllegalArgumentException("namespace must start with '/': " + namespace);
        }
        if (ackId != null && ackId < 0) {
            throw new IllegalArgumentException("ackId must not be negative: " + ackId);
        }
    }
}
