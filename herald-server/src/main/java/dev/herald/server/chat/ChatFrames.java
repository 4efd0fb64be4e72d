package dev.herald.server.chat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.Streams;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Encoders of the {@code /ws/chat} server frames and of the story-3 {@code new_message}
 * notification (see {@code docs/chat-protocol.md}). Pure functions; thread-safe.
 *
 * <p>User ids are strings on the chat socket; conversation and message ids and seqs are
 * numbers. Times are ISO-8601 UTC with millisecond precision.
 */
public final class ChatFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatFrames() {
    }

    /** Where {@link #fields} writes a message's fields: a JSON tree or a generator. */
    private interface MessageFields {
        void number(String name, long value) throws IOException;

        void text(String name, String value) throws IOException;
    }

    /** A message's fields, in the order every chat frame and the HTTP API show them. */
    private static void fields(ChatMessage m, MessageFields out) throws IOException {
        out.number("id", m.id());
        out.number("conversation_id", m.conversationId());
        out.number("seq", m.seq());
        out.text("sender_id", m.senderId());
        out.text("sender_name", m.senderName());
        out.text("client_id", m.clientId());
        out.text("message_type", m.messageType());
        out.text("content", m.content());
        out.text("created_at", time(m.createdAt()));
    }

    /** A message as every chat frame and the HTTP API show it. */
    public static ObjectNode messageObject(ChatMessage m) {
        ObjectNode n = JSON.createObjectNode();
        try {
            fields(m, new MessageFields() {
                @Override
                public void number(String name, long value) {
                    n.put(name, value);
                }

                @Override
                public void text(String name, String value) {
                    n.put(name, value);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree does not fail", e);
        }
        return n;
    }

    /**
     * {@code message}: a stored message, sequenced on its conversation's stream. The fields of
     * {@link #messageObject} after {@code type}, written straight to bytes: this runs on the chat
     * writer's thread for every stored message, where building the tree twice and serialising
     * it was a tenth of the writer's time.
     */
    public static StreamEvent message(ChatMessage m) {
        ByteArrayBuilder out = new ByteArrayBuilder(256 + 3 * m.content().length());
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "message");
            fields(m, new MessageFields() {
                @Override
                public void number(String name, long value) throws IOException {
                    g.writeNumberField(name, value);
                }

                @Override
                public void text(String name, String value) throws IOException {
                    g.writeStringField(name, value);
                }
            });
            g.writeEndObject();
        } catch (IOException e) {
            // A byte array builder does not fail; a message that cannot be written is a bug.
            throw new IllegalStateException("frame not serializable", e);
        }
        return new StreamEvent(Streams.conversation(m.conversationId()), m.seq(), "message",
                m.createdAt().toEpochMilli(), -1, out.toByteArray());
    }

    /** {@code ack}: the sender's answer to {@code send_message}. */
    public static ObjectNode ack(String clientId, ChatMessage m, boolean replayed) {
        ObjectNode n = JSON.createObjectNode().put("type", "ack");
        n.put("client_id", clientId);
        n.set("message", messageObject(m));
        n.put("replayed", replayed);
        return n;
    }

    /** {@code typing}: to everyone in the conversation except the typist. */
    public static StreamEvent typing(long conversationId, String userId) {
        return typingEvent("typing", conversationId, userId);
    }

    /** {@code stop_typing}: explicit, or the typing state expired. */
    public static StreamEvent stopTyping(long conversationId, String userId) {
        return typingEvent("stop_typing", conversationId, userId);
    }

    private static StreamEvent typingEvent(String type, long conversationId, String userId) {
        ObjectNode n = JSON.createObjectNode().put("type", type)
                .put("conversation_id", conversationId).put("user_id", userId);
        return StreamEvent.ephemeralExcept(Streams.conversation(conversationId), type, bytes(n), userId);
    }

    /** {@code read_receipt}: a member read up to a seq. */
    public static StreamEvent readReceipt(ReadResult r) {
        ObjectNode n = JSON.createObjectNode().put("type", "read_receipt")
                .put("conversation_id", r.conversationId()).put("user_id", r.userId()).put("seq", r.lastReadSeq());
        return StreamEvent.ephemeral(Streams.conversation(r.conversationId()), "read_receipt", -1, bytes(n));
    }

    /** {@code reaction}: an emoji added to or removed from a message. */
    public static StreamEvent reaction(Reaction r) {
        ObjectNode n = JSON.createObjectNode().put("type", "reaction")
                .put("conversation_id", r.conversationId()).put("message_id", r.messageId()).put("seq", r.seq())
                .put("user_id", r.userId()).put("emoji", r.emoji()).put("action", r.added() ? "added" : "removed");
        return StreamEvent.ephemeral(Streams.conversation(r.conversationId()), "reaction", -1, bytes(n));
    }

    /** {@code presence}: {@code status} is {@code online} or {@code offline}; last_seen when offline. */
    public static byte[] presence(String userId, boolean online, Instant lastSeen) {
        ObjectNode n = JSON.createObjectNode().put("type", "presence")
                .put("user_id", userId).put("status", online ? "online" : "offline")
                .put("last_seen", lastSeen == null ? null : time(lastSeen));
        return bytes(n);
    }

    /** {@code status_updated}: a user set their status (available, busy, or their own text). */
    public static byte[] statusUpdated(String userId, String status) {
        return bytes(JSON.createObjectNode().put("type", "status_updated").put("user_id", userId).put("status", status));
    }

    /** {@code conversation_added}: the user became a member of a conversation. */
    public static byte[] conversationAdded(Conversation c) {
        ObjectNode n = JSON.createObjectNode().put("type", "conversation_added");
        n.set("conversation", conversationObject(c));
        return bytes(n);
    }

    /** One ephemeral event per user's {@code chatuser:} stream, sharing the same bytes. */
    public static List<StreamEvent> toUsers(Collection<String> userIds, String type, byte[] json) {
        List<StreamEvent> out = new ArrayList<>(userIds.size());
        for (String user : userIds) {
            out.add(StreamEvent.ephemeral(Streams.chatUser(user), type, -1, json));
        }
        return out;
    }

    public static ObjectNode conversationObject(Conversation c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", c.id());
        n.put("kind", c.kind().wire());
        n.put("title", c.title());
        ArrayNode members = n.putArray("members");
        c.members().forEach(members::add);
        n.put("last_seq", c.lastSeq());
        n.put("created_at", time(c.createdAt()));
        n.put("last_activity_at", time(c.lastActivityAt()));
        return n;
    }

    /** {@code joined}: the answer to {@code join}, before any replayed message. */
    public static ObjectNode joined(Conversation c, long lastSeq, long lastReadSeq, long since, String ref) {
        ObjectNode n = JSON.createObjectNode().put("type", "joined").put("conversation_id", c.id())
                .put("seq", lastSeq).put("last_read_seq", lastReadSeq)
                .put("unread_count", Math.max(0, lastSeq - lastReadSeq));
        if (since >= 0) {
            n.put("since", Math.min(since, lastSeq));
        }
        n.set("conversation", conversationObject(c));
        if (ref != null) {
            n.put("ref", ref);
        }
        return n;
    }

    /** {@code error}, echoing the client's {@code client_id} or {@code ref} when it gave one. */
    public static ObjectNode error(String code, String message, String field, String clientId, String ref) {
        ObjectNode n = JSON.createObjectNode().put("type", "error").put("code", code).put("message", message);
        if (field != null) {
            n.put("field", field);
        }
        if (clientId != null) {
            n.put("client_id", clientId);
        }
        if (ref != null) {
            n.put("ref", ref);
        }
        return n;
    }

    /**
     * The story-3 notification for a member who is not in the chat, exactly:
     * {@code type, message, chat_id, sender_id, sender_name, content_preview, message_type,
     * timestamp}. A numeric user id is written as a number, as that app expects.
     */
    public static String newMessageNotification(ChatMessage m, int previewChars) {
        String name = m.senderName() == null || m.senderName().isBlank() ? m.senderId() : m.senderName();
        ObjectNode n = JSON.createObjectNode().put("type", "new_message")
                .put("message", "New message from " + name)
                .put("chat_id", m.conversationId());
        if (m.senderId().matches("-?[0-9]{1,18}")) {
            n.put("sender_id", Long.parseLong(m.senderId()));
        } else {
            n.put("sender_id", m.senderId());
        }
        n.put("sender_name", name)
                .put("content_preview", preview(m.content(), previewChars))
                .put("message_type", m.messageType())
                .put("timestamp", DateTimeFormatter.ISO_INSTANT.format(m.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first {@code max} characters of a text, cut back to a word boundary when one is near,
     * with {@code ...} appended when anything was cut. Never splits a surrogate pair.
     */
    public static String preview(String content, int max) {
        String text = content.strip().replaceAll("\\s+", " ");
        if (text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        int end = text.offsetByCodePoints(0, max);
        int space = text.lastIndexOf(' ', end);
        if (space >= max / 2 && !Character.isWhitespace(text.charAt(end))) {
            end = space;
        }
        return text.substring(0, end).stripTrailing() + "...";
    }

    static String time(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("frame not serializable", e);
        }
    }
}
