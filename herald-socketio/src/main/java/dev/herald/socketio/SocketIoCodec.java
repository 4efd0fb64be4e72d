package dev.herald.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure Socket.IO v5 encoding: {@code <type>[<attachments>-][<nsp>,][<ack id>][<json>]}, compact
 * JSON with object keys in their original order, binary leaves replaced by
 * {@code {"_placeholder":true,"num":n}} in depth-first order and sent as attachments.
 * Decoding is stateful (attachments follow their packet) and lives in {@link SocketIoDecoder}.
 *
 * <p>Stateless and thread-safe.
 */
public final class SocketIoCodec {
    /** Shared mapper: thread-safe, compact output, keeps key order (ObjectNode is insertion-ordered). */
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectReader READER = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Event names a client may not emit (the reference parser refuses them). */
    static final Set<String> RESERVED_EVENTS = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");

    private SocketIoCodec() {
    }

    /** A packet's wire form: the text packet and its binary attachments, in order. */
    public record Encoded(String text, List<byte[]> attachments) {
    }

    /** Encodes a packet; EVENT/ACK whose data holds binary become BINARY_EVENT/BINARY_ACK. */
    public static Encoded encode(SocketIoPacket p) {
        List<byte[]> attachments = new ArrayList<>();
        JsonNode data = p.data() == null ? null : extractBinary(p.data(), attachments);
        SocketIoPacketType type = p.type();
        if (!attachments.isEmpty()) {
            if (type == SocketIoPacketType.EVENT) {
                type = SocketIoPacketType.BINARY_EVENT;
            } else if (type == SocketIoPacketType.ACK) {
                type = SocketIoPacketType.BINARY_ACK;
            }
        }
        StringBuilder sb = new StringBuilder().append(type.code());
        if (type == SocketIoPacketType.BINARY_EVENT || type == SocketIoPacketType.BINARY_ACK) {
            sb.append(attachments.size()).append('-');
        }
        if (!"/".equals(p.namespace())) {
            sb.append(p.namespace()).append(',');
        }
        if (p.ackId() != null) {
            sb.append(p.ackId());
        }
        if (data != null) {
            appendJson(sb, data);
        }
        return new Encoded(sb.toString(), attachments);
    }

    /**
     * The text of an EVENT packet of a {@link PreparedEvent}: what {@link #encode} writes for its
     * name and arguments, with {@code offset} (or nothing, when null) as the last argument.
     *
     * @param offset a recovery offset ({@link RecoveryLog#offset}: letters, digits, {@code -} and
     *               {@code _} only, so it needs no escaping), or null
     */
    static String event(String namespace, PreparedEvent event, String offset) {
        String head = event.head();
        boolean root = "/".equals(namespace);
        StringBuilder sb = new StringBuilder(head.length() + 5 + (root ? 0 : namespace.length())
                + (offset == null ? 0 : offset.length()));
        sb.append(SocketIoPacketType.EVENT.code());
        if (!root) {
            sb.append(namespace).append(',');
        }
        sb.append(head);
        if (offset != null) {
            sb.append(",\"").append(offset).append('"');
        }
        return sb.append(']').toString();
    }

    /**
     * Appends {@code node} as JSON. Arrays (an event's argument list), strings, numbers and raw
     * values (JSON an application already holds as text, e.g.
     * {@code JsonNodeFactory.rawValueNode}) are written by hand, the raw values copied as they
     * are; objects go through Jackson. A packet per socket is thus cheap when its arguments are
     * raw JSON, however large.
     */
    static void appendJson(StringBuilder sb, JsonNode node) {
        if (node instanceof ArrayNode array) {
            sb.append('[');
            for (int i = 0; i < array.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendJson(sb, array.get(i));
            }
            sb.append(']');
        } else if (node instanceof TextNode text) {
            sb.append('"');
            JsonStringEncoder.getInstance().quoteAsString(text.textValue(), sb);
            sb.append('"');
        } else if (node instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw
                && raw.rawValue() instanceof String json) {
            sb.append(json);
        } else if (node.isIntegralNumber() && node.canConvertToLong() || node.isBoolean() || node.isNull()) {
            sb.append(node.asText());
        } else {
            sb.append(toJson(node));
        }
    }

    static String toJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    /** Converts an application value to JSON: JsonNode as is, byte[] as a binary attachment. */
    public static JsonNode toNode(Object value) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof JsonNode n) {
            return n;
        }
        if (value instanceof byte[] b) {
            return BinaryNode.valueOf(b);
        }
        return JSON.valueToTree(value);
    }

    private static JsonNode extractBinary(JsonNode node, List<byte[]> out) {
        if (node.isBinary()) {
            ObjectNode ph = JsonNodeFactory.instance.objectNode();
            ph.put("_placeholder", true);
            ph.put("num", out.size());
            out.add(((BinaryNode) node).binaryValue());
            return ph;
        }
        if (!hasBinary(node)) {
            return node;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode child : node) {
                copy.add(extractBinary(child, out));
            }
            return copy;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            copy.set(e.getKey(), extractBinary(e.getValue(), out));
        }
        return copy;
    }

    static boolean hasBinary(JsonNode node) {
        if (node.isBinary()) {
            return true;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasBinary(child)) {
                    return true;
                }
            }
        }
        return false;
    }
}
