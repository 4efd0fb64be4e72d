package dev.herald.server.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.stream.Streams;

/**
 * Herald's stream frames (the JSON the plain sockets send) as Socket.IO events, for apps written
 * against Socket.IO servers: camelCase event names and the payloads those apps expect. Pure
 * functions; thread-safe.
 */
final class EventMapping {
    /** One Socket.IO event; {@code payload} null means "do not emit". */
    record Mapped(String event, JsonNode payload) {
    }

    private EventMapping() {
    }

    /**
     * A chat frame ({@code conv:} or {@code chatuser:} stream) as an event; null for frames that
     * have no Socket.IO counterpart.
     */
    static Mapped chat(String stream, ObjectNode frame) {
        String type = frame.path("type").asText();
        ObjectNode body = frame.deepCopy();
        body.remove("type");
        if (stream.startsWith(Streams.CONVERSATION_PREFIX)) {
            return switch (type) {
                case "message" -> new Mapped("newMessage", message(body));
                case "typing" -> new Mapped("userTyping", typing(body));
                case "stop_typing" -> new Mapped("userStoppedTyping", typing(body));
                case "read_receipt" -> new Mapped("messageRead", camel(body));
                case "reaction" -> new Mapped("messageReaction", camel(body));
                default -> null;
            };
        }
        return switch (type) {
            case "presence" -> {
                ObjectNode p = body.objectNode().put("userId", body.path("user_id").asText());
                boolean online = "online".equals(body.path("status").asText());
                if (!online) {
                    p.set("lastSeen", body.path("last_seen"));
                }
                yield new Mapped(online ? "userOnline" : "userOffline", p);
            }
            case "status_updated" -> new Mapped("statusUpdated",
                    body.objectNode().put("userId", body.path("user_id").asText()).put("status", body.path("status").asText()));
            case "conversation_added" -> new Mapped("conversationAdded", body);
            default -> null;
        };
    }

    /**
     * A message as Herald's API shows it ({@code id, conversation_id, seq, sender_id, ...}) plus
     * the camelCase names Socket.IO apps filter on: {@code conversationId}, {@code senderId},
     * {@code senderName}, {@code createdAt}.
     */
    static ObjectNode message(ObjectNode m) {
        m.set("conversationId", m.get("conversation_id"));
        m.set("senderId", m.get("sender_id"));
        m.set("senderName", m.get("sender_name"));
        m.set("createdAt", m.get("created_at"));
        return m;
    }

    private static ObjectNode typing(ObjectNode t) {
        return t.objectNode().put("userId", t.path("user_id").asText()).set("conversationId", t.get("conversation_id"));
    }

    /** snake_case keys to camelCase (read receipts, reactions). */
    private static ObjectNode camel(ObjectNode in) {
        ObjectNode out = in.objectNode();
        in.properties().forEach(e -> {
            String k = e.getKey();
            StringBuilder sb = new StringBuilder(k.length());
            boolean up = false;
            for (char c : k.toCharArray()) {
                if (c == '_') {
                    up = true;
                } else {
                    sb.append(up ? Character.toUpperCase(c) : c);
                    up = false;
                }
            }
            out.set(sb.toString(), e.getValue());
        });
        return out;
    }
}
