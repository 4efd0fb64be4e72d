package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decodes Socket.IO v5 packets from one connection's Engine.IO messages. A BINARY_EVENT or
 * BINARY_ACK is held until its attachments (the following binary messages) arrived, then returned
 * with the placeholders replaced by {@link BinaryNode}s.
 *
 * <p>Not thread-safe: one instance per connection, used on that connection's event loop.
 * Limits: at most {@link #MAX_ATTACHMENTS} attachments per packet.
 */
public final class SocketIoDecoder {
    /** The reference parser's default cap. */
    public static final int MAX_ATTACHMENTS = 10;

    private SocketIoPacket pending;
    private int expected;
    private final List<byte[]> attachments = new ArrayList<>();

    /** Decodes a text message; returns the packet, or {@code null} while attachments are awaited. */
    public SocketIoPacket add(String s) throws SocketIoDecodeException {
        if (pending != null) {
            throw new SocketIoDecodeException("text packet while waiting for binary attachments");
        }
        if (s.isEmpty()) {
            throw new SocketIoDecodeException("empty packet");
        }
        SocketIoPacketType type = SocketIoPacketType.fromCode(s.charAt(0));
        if (type == null) {
            throw new SocketIoDecodeException("unknown packet type '" + s.charAt(0) + "'");
        }
        int i = 1;
        int count = 0;
        boolean binary = type == SocketIoPacketType.BINARY_EVENT || type == SocketIoPacketType.BINARY_ACK;
        if (binary) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start || i >= s.length() || s.charAt(i) != '-' || i - start > 3) {
                throw new SocketIoDecodeException("invalid attachment count");
            }
            count = Integer.parseInt(s, start, i, 10);
            if (count > MAX_ATTACHMENTS) {
                throw new SocketIoDecodeException("too many attachments: " + count);
            }
            i++;
        }
        String nsp = "/";
        if (i < s.length() && s.charAt(i) == '/') {
            int comma = s.indexOf(',', i);
            int end = comma < 0 ? s.length() : comma;
            nsp = s.substring(i, end);
            i = comma < 0 ? end : end + 1;
        }
        Long ackId = null;
        int idStart = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i > idStart) {
            if (i - idStart > 15) {
                throw new SocketIoDecodeException("ack id too long");
            }
            ackId = Long.parseLong(s, idStart, i, 10);
        }
        JsonNode data = null;
        if (i < s.length()) {
            try {
                data = SocketIoCodec.READER.readTree(s.substring(i));
            } catch (IOException e) {
                throw new SocketIoDecodeException("invalid JSON payload");
            }
        }
        validate(type, data);
        SocketIoPacket p = new SocketIoPacket(type, nsp, ackId, data);
        if (binary && count > 0) {
            pending = p;
            expected = count;
            return null;
        }
        return p;
    }

    /** Adds a binary attachment; returns the completed packet, or {@code null} if more are due. */
    public SocketIoPacket addBinary(byte[] data) throws SocketIoDecodeException {
        if (pending == null) {
            throw new SocketIoDecodeException("unexpected binary attachment");
        }
        attachments.add(data);
        if (attachments.size() < expected) {
            return null;
        }
        SocketIoPacket p = pending;
        JsonNode filled = fill(p.data());
        pending = null;
        attachments.clear();
        return new SocketIoPacket(p.type(), p.namespace(), p.ackId(), filled);
    }

    private JsonNode fill(JsonNode node) throws SocketIoDecodeException {
        if (node.isObject() && node.path("_placeholder").asBoolean(false) && node.size() == 2) {
            JsonNode num = node.get("num");
            if (num == null || !num.canConvertToInt() || num.asInt() < 0 || num.asInt() >= attachments.size()) {
                throw new SocketIoDecodeException("invalid placeholder");
            }
            return BinaryNode.valueOf(attachments.get(num.asInt()));
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode child : node) {
                copy.add(fill(child));
            }
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), fill(e.getValue()));
            }
            return copy;
        }
        return node;
    }

    private static void validate(SocketIoPacketType type, JsonNode data) throws SocketIoDecodeException {
        boolean ok = switch (type) {
            case CONNECT -> data == null || data.isObject();
            case DISCONNECT -> data == null;
            case CONNECT_ERROR -> data != null && (data.isObject() || data.isTextual());
            case EVENT, BINARY_EVENT -> data != null && data.isArray() && !data.isEmpty()
                    && (data.get(0).isNumber()
                    || (data.get(0).isTextual() && !SocketIoCodec.RESERVED_EVENTS.contains(data.get(0).asText())));
            case ACK, BINARY_ACK -> data != null && data.isArray();
        };
        if (!ok) {
            throw new SocketIoDecodeException("invalid payload for " + type);
        }
    }
}
