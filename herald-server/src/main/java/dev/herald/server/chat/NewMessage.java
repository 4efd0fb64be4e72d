package dev.herald.server.chat;

/** A validated message to append. {@code clientId} may be null. */
public record NewMessage(long conversationId, String senderId, String senderName, String clientId,
                        String messageType, String content) {

    /**
     * What a message of this content and sender name weighs in memory while it waits, roughly in
     * bytes (two per character, plus the objects around it): the measure of the store's write
     * queue and of the sends a connection holds for it.
     */
    public static long weight(String content, String senderName) {
        return 2L * ((content == null ? 0 : content.length()) + (senderName == null ? 0 : senderName.length())) + 256;
    }
}
