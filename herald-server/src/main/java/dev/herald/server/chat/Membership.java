package dev.herald.server.chat;

/** A user's place in a conversation: where the conversation is and how far the user has read. */
public record Membership(long conversationId, String userId, long lastSeq, long lastReadSeq) {
    public long unread() {
        return Math.max(0, lastSeq - lastReadSeq);
    }
}
