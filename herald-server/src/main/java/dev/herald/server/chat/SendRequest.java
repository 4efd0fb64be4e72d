package dev.herald.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client's "send a message" request as read from its transport's payload (a {@code /ws/chat}
 * {@code send_message} frame, a Socket.IO {@code sendMessage} event, the body of
 * {@code POST /api/v1/conversations/{id}/messages}), ready for {@link ChatService#send}. Only the shapes are checked here, with a {@link ChatException}
 * naming the field; the rules on the values (content 1..max characters, client id length,
 * message type) are the service's, so an absent content is handed on as null and the service
 * refuses it like a blank or too long one.
 *
 * @param content     null when absent
 * @param clientId    null when absent
 * @param messageType null when absent, or when not a string and not {@link Names#strictMessageType}
 *                    (the service's default type)
 */
public record SendRequest(long conversationId, String content, String clientId, String messageType) {
    /**
     * How one transport names the fields ({@code content} is {@code content} everywhere).
     * {@code strictMessageType}: a message type that is there but not a string is refused (the
     * HTTP API, where it always has been) rather than taken as the default type (the sockets,
     * where it always has been).
     */
    public record Names(String conversationId, String clientId, String messageType, boolean strictMessageType) {
    }

    /**
     * Reads a request. Checked in this order: the client id (a string or absent: a retry key
     * that is not one would silently turn an idempotent send into a duplicate), the conversation
     * id ({@link ChatFields#positive}), the content (a string or absent), the message type (when
     * strict).
     *
     * @throws ChatException {@code invalid_frame} naming the first field that is malformed
     */
    public static SendRequest parse(ObjectNode payload, Names names) {
        String clientId = optionalText(payload, names.clientId(), true);
        long conversationId = ChatFields.positive(payload, names.conversationId());
        return rest(conversationId, clientId, payload, names);
    }

    /**
     * Reads a request whose conversation is named outside the payload (the HTTP API's path), in
     * the order above; {@link Names#conversationId} is not read.
     */
    public static SendRequest parse(long conversationId, ObjectNode payload, Names names) {
        return rest(conversationId, optionalText(payload, names.clientId(), true), payload, names);
    }

    private static SendRequest rest(long conversationId, String clientId, ObjectNode payload, Names names) {
        String content = optionalText(payload, "content", true);
        String messageType = optionalText(payload, names.messageType(), names.strictMessageType());
        return new SendRequest(conversationId, content, clientId, messageType);
    }

    /** A string field, or null when absent; one that is not a string is refused when strict, else null. */
    private static String optionalText(ObjectNode payload, String field, boolean strict) {
        JsonNode v = payload.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (strict) {
            throw ChatException.invalid(field, "must be a string");
        }
        return null;
    }
}
