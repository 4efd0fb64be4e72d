package dev.herald.server.chat;

/**
 * Who is "in the chat" (story 3): a user is viewing a conversation while at least one of
 * their chat connections has joined it. The smart notification goes only to members who are
 * not viewing.
 *
 * <p>Thread-safe. This node's view comes from {@link LocalConversationViewers};
 * {@link ClusterConversationViewers} shares it between nodes, and its {@link #isViewing} may ask
 * Redis.
 */
public interface ConversationViewers {
    /** A connection of {@code userId} joined the conversation. */
    void joined(long conversationId, String userId, String connectionId);

    /** That connection left the conversation or closed. Idempotent. */
    void left(long conversationId, String userId, String connectionId);

    /** Whether the user views the conversation on any node; may block on the network in a cluster. */
    boolean isViewing(long conversationId, String userId);

    /** Whether the user views the conversation on this node. Never blocks. */
    default boolean isViewingHere(long conversationId, String userId) {
        return isViewing(conversationId, userId);
    }
}
