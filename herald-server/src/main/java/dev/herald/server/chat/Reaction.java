package dev.herald.server.chat;

/**
 * A reaction added to or removed from a message.
 *
 * @param added   true for an add, false for a remove
 * @param changed false when the add found it already there, or the remove found nothing
 */
public record Reaction(long conversationId, long messageId, long seq, String userId, String emoji, boolean added,
                       boolean changed) {
}
