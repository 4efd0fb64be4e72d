package dev.herald.server.chat;

/**
 * A read marker after {@code read}.
 *
 * @param changed false when the marker was already at or past the requested seq
 */
public record ReadResult(long conversationId, String userId, long lastReadSeq, long lastSeq, boolean changed) {
    public long unread() {
        return Math.max(0, lastSeq - lastReadSeq);
    }
}
