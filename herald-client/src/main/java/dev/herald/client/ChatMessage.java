package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stored chat message.
 *
 * @param id             Herald's message id
 * @param conversationId the conversation
 * @param seq            its position in the conversation, from 1
 * @param senderId       the sender's user id
 * @param senderName     the sender's display name (the JWT's {@code name}, else the user id)
 * @param clientId       the sender's {@code client_id}, or null
 * @param messageType    e.g. {@code text_message}
 * @param content        the text
 * @param createdAt      commit time, ISO-8601 UTC
 * @param raw            the message object as received
 */
public record ChatMessage(long id, long conversationId, long seq, String senderId, String senderName, String clientId,
                          String messageType, String content, String createdAt, JsonNode raw) {
    static ChatMessage of(JsonNode m) {
        return new ChatMessage(m.path("id").asLong(), m.path("conversation_id").asLong(), m.path("seq").asLong(),
                m.path("sender_id").asText(null), m.path("sender_name").asText(null), m.path("client_id").asText(null),
                m.path("message_type").asText(null), m.path("content").asText(null), m.path("created_at").asText(null), m);
    }
}
