package dev.herald.server.chat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ConversationViewers} of one node: conversation to user to the ids of that user's
 * connections that joined it. Empty entries are removed, so memory follows open joins.
 * Thread-safe (per-key atomic updates of concurrent maps).
 */
public final class LocalConversationViewers implements ConversationViewers {
    private final Map<Long, Map<String, Set<String>>> viewers = new ConcurrentHashMap<>();

    @Override
    public void joined(long conversationId, String userId, String connectionId) {
        viewers.compute(conversationId, (id, users) -> {
            Map<String, Set<String>> map = users != null ? users : new ConcurrentHashMap<>();
            map.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(connectionId);
            return map;
        });
    }

    @Override
    public void left(long conversationId, String userId, String connectionId) {
        viewers.computeIfPresent(conversationId, (id, users) -> {
            users.computeIfPresent(userId, (u, connections) -> {
                connections.remove(connectionId);
                return connections.isEmpty() ? null : connections;
            });
            return users.isEmpty() ? null : users;
        });
    }

    @Override
    public boolean isViewing(long conversationId, String userId) {
        Map<String, Set<String>> users = viewers.get(conversationId);
        return users != null && users.containsKey(userId);
    }

    /** Conversations with at least one viewer (for tests and metrics). */
    public int conversationCount() {
        return viewers.size();
    }
}
