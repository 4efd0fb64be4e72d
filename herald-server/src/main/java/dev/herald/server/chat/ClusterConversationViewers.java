package dev.herald.server.chat;

import dev.herald.server.cluster.NodeDirectory;

/**
 * {@link ConversationViewers} across a cluster: this node's joins are tracked locally and
 * shared through a {@link NodeDirectory}, so a user who has the chat open on another node is
 * "in the chat" for the node that stores the message (story 3: no notification for them).
 *
 * <p>Thread-safe. {@link #joined} and {@link #left} never block; {@link #isViewing} may (it is
 * asked by the send path, on a virtual thread).
 */
public final class ClusterConversationViewers implements ConversationViewers {
    private final LocalConversationViewers local = new LocalConversationViewers();
    private final NodeDirectory directory;

    public ClusterConversationViewers(NodeDirectory directory) {
        this.directory = directory;
    }

    private static String key(long conversationId, String userId) {
        return "viewing:" + conversationId + ":" + userId;
    }

    @Override
    public void joined(long conversationId, String userId, String connectionId) {
        local.joined(conversationId, userId, connectionId);
        directory.hold(key(conversationId, userId));
    }

    @Override
    public void left(long conversationId, String userId, String connectionId) {
        local.left(conversationId, userId, connectionId);
        if (!local.isViewing(conversationId, userId)) {
            directory.release(key(conversationId, userId));
        }
    }

    @Override
    public boolean isViewingHere(long conversationId, String userId) {
        return local.isViewing(conversationId, userId);
    }

    @Override
    public boolean isViewing(long conversationId, String userId) {
        return local.isViewing(conversationId, userId) || directory.heldAnywhere(key(conversationId, userId));
    }
}
