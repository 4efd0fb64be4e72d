package dev.herald.server.chat;

/**
 * Who is "in the chat" (story 3): a user is viewing a conversation while at least one of
 * their chat connections has joined it. The smart notification goes only to members who are
 * not viewing.
 *
 * <p>Thread-safe; never blocks. This node's view comes from {@link LocalConversationViewers};
 * a cluster implementation will share it between nodes.
 */
public interface ConversationViewers {
    /** A connection of {@code userId} joined the conversation. */
    void joined(long conversationId, String userId, String connectionId);

    /** That connection left the conversation or closed. Idempotent. */
    void left(long conversationId, String userId, String connectionId);

    boolean isViewing(long conversationId, String userId);
}
