package dev.herald.server.delivery;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open session of this node, by id and by user: for graceful shutdown, for
 * disconnecting a user, and for presence. Thread-safe.
 */
public final class SessionRegistry {
    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();

    public void add(Session session) {
        byId.put(session.id(), session);
        byUser.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void remove(Session session) {
        if (byId.remove(session.id()) == null) {
            return;
        }
        byUser.computeIfPresent(session.userId(), (u, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    public Collection<Session> all() {
        return List.copyOf(byId.values());
    }

    public Collection<Session> ofUser(String userId) {
        Set<Session> set = byUser.get(userId);
        return set == null ? List.of() : List.copyOf(set);
    }

    public int size() {
        return byId.size();
    }

    /** Closes every session, each on its own loop. */
    public void closeAll(CloseReason reason) {
        for (Session s : all()) {
            s.eventLoop().execute(() -> s.close(reason));
        }
    }
}
