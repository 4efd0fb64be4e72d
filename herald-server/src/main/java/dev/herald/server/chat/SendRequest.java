package dev.herald.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client's "send a message" request as read from its transport's payload (a {@code /ws/chat}
 * {@code send_message} frame, a Socket.IO {@code sendMessage} event), ready for
 * {@link ChatService#send}. Only the shapes are checked here, with a {@link ChatException}
 * naming the field; the rules on the values (content 1..max characters, client id length,
 * message type) are the service's, so an absent content is handed on as null and the service
 * refuses it like a blank or too long one.
 *
 * @param content     null when absent
 * @param clientId    null when absent
 * @param messageType null when absent or not a string (the service's default type)
 */
public record SendRequest(long conversationId, String content, String clientId, String messageType) {
    /** How one transport names the fields ({@code content} is {@code content} everywhere). */
    public record Names(String conversationId, String clientId, String messageType) {
    }

    /**
     * Reads a request. Checked in this order: the client id (a string or absent: a retry key
     * that is not one would silently turn an idempotent send into a duplicate), the conversation
     * id ({@link ChatFields#positive}), the content (a string or absent).
     *
     * @throws ChatException {@code invalid_frame} naming the first field that is malformed
     */
    public static SendRequest parse(ObjectNode payload, Names names) {
        JsonNode clientIdNode = payload.get(names.clientId());
        boolean clientIdGiven = clientIdNode != null && !clientIdNode.isNull();
        if (clientIdGiven && !clientIdNode.isTextual()) {
            throw ChatException.invalid(names.clientId(), "must be a string");
        }
        long conversationId = ChatFields.positive(payload, names.conversationId());
        JsonNode content = payload.get("content");
        if (content != null && !content.isNull() && !content.isTextual()) {
            throw ChatException.invalid("content", "must be a string");
        }
        return new SendRequest(conversationId,
                content == null || content.isNull() ? null : content.asText(),
                clientIdGiven ? clientIdNode.asText() : null,
                textOrNull(payload.get(names.messageType())));
    }

    private static String textOrNull(JsonNode v) {
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
