package dev.herald.server.delivery;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every open session of this node, by id and by user: for graceful shutdown, for
 * disconnecting a user, and for presence. Thread-safe.
 */
public final class SessionRegistry {
    /**
     * Told when a user's first session on this node opens and when their last one closes
     * (presence). Called on the thread that added or removed the session; must not block.
     */
    public interface UserListener {
        void firstSessionOpened(String userId);

        void lastSessionClosed(String userId);
    }

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final List<UserListener> listeners = new CopyOnWriteArrayList<>();

    public void addListener(UserListener listener) {
        listeners.add(listener);
    }

    public void add(Session session) {
        byId.put(session.id(), session);
        boolean[] first = {false};
        byUser.compute(session.userId(), (u, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first[0] = true;
            }
            set.add(session);
            return set;
        });
        if (first[0]) {
            listeners.forEach(l -> l.firstSessionOpened(session.userId()));
        }
    }

    public void remove(Session session) {
        if (byId.remove(session.id()) == null) {
            return;
        }
        boolean[] last = {false};
        byUser.computeIfPresent(session.userId(), (u, set) -> {
            set.remove(session);
            last[0] = set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        if (last[0]) {
            listeners.forEach(l -> l.lastSessionClosed(session.userId()));
        }
    }

    /** Closes every session of a user on this node; returns how many. */
    public int closeUser(String userId, CloseReason reason) {
        Collection<Session> sessions = ofUser(userId);
        for (Session s : sessions) {
            s.eventLoop().execute(() -> s.close(reason));
        }
        return sessions.size();
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
