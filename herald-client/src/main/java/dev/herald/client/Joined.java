package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Herald's answer to a join.
 *
 * @param conversationId the conversation
 * @param seq            its last seq at the join
 * @param lastReadSeq    the user's read marker
 * @param unreadCount    the user's unread messages there
 * @param frame          the whole {@code joined} frame (with the conversation)
 */
public record Joined(long conversationId, long seq, long lastReadSeq, long unreadCount, JsonNode frame) {
    static Joined of(JsonNode f) {
        return new Joined(f.path("conversation_id").asLong(), f.path("seq").asLong(), f.path("last_read_seq").asLong(),
                f.path("unread_count").asLong(), f);
    }
}
