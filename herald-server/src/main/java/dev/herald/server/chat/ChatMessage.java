package dev.herald.server.chat;

import java.time.Instant;

/**
 * A stored chat message. Immutable.
 *
 * @param id       globally unique number (not a cursor: use {@code seq} to resume)
 * @param seq      position in the conversation, from 1, gap-free
 * @param clientId the sender's own id for the message (idempotent retries), or null
 */
public record ChatMessage(long id, long conversationId, long seq, String senderId, String senderName,
                          String clientId, String messageType, String content, Instant createdAt) {
}
