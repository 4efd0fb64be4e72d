package dev.herald.server.chat;

/**
 * One row of a user's conversation list.
 *
 * @param lastMessage the newest message, or null when there is none
 * @param lastReadSeq how far this user has read
 */
public record ConversationSummary(Conversation conversation, ChatMessage lastMessage, long lastReadSeq) {
    /** Messages after the user's read marker. */
    public long unread() {
        return Math.max(0, conversation.lastSeq() - lastReadSeq);
    }
}
