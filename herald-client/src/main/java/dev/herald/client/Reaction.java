package dev.herald.client;

/**
 * A reaction added to or removed from a message.
 *
 * @param added true for {@code added}, false for {@code removed}
 */
public record Reaction(long conversationId, long messageId, long seq, String userId, String emoji, boolean added) {
}
