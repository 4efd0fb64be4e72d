package dev.herald.server.chat;

/** A validated message to append. {@code clientId} may be null. */
public record NewMessage(long conversationId, String senderId, String senderName, String clientId,
                        String messageType, String content) {
}
