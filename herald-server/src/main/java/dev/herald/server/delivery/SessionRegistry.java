package dev.herald.server.delivery;

import java.util.Arrays;
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

    /** Above this many sessions a user's array becomes a set. */
    static final int SMALL = 16;

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    // A user's sessions, replaced or changed only inside compute(). Most users have one or a few:
    // a Session[] (copy-on-write, 16 B + 4 B a session, where a concurrent set costs ~150 B).
    // A user with more than SMALL (a service account, a load test on one token) gets a
    // concurrent Set<Session>, so that adding stays cheap.
    private final Map<String, Object> byUser = new ConcurrentHashMap<>();
    private final List<UserListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * Set by {@link #closeAll}: a session added afterwards (a WebSocket whose upgrade was still
     * being authorized when shutdown told everyone to leave) is closed with the same reason at
     * once, instead of staying open until its channel is cut (1006 instead of 1001).
     */
    private volatile CloseReason closingAll;

    public void addListener(UserListener listener) {
        listeners.add(listener);
    }

    public void add(Session session) {
        byId.put(session.id(), session);
        boolean[] first = {false};
        byUser.compute(session.userId(), (u, held) -> {
            if (held == null) {
                first[0] = true;
                return new Session[] {session};
            }
            if (held instanceof Session[] small) {
                if (Arrays.asList(small).contains(session)) {
                    return small;
                }
                if (small.length < SMALL) {
                    Session[] grown = Arrays.copyOf(small, small.length + 1);
                    grown[small.length] = session;
                    return grown;
                }
                Set<Session> set = ConcurrentHashMap.newKeySet();
                set.addAll(Arrays.asList(small));
                held = set;
            }
            asSet(held).add(session);
            return held;
        });
        if (first[0]) {
            listeners.forEach(l -> l.firstSessionOpened(session.userId()));
        }
        // Read after the put: either closeAll's pass saw this session, or this sees its reason.
        CloseReason closing = closingAll;
        if (closing != null) {
            session.eventLoop().execute(() -> session.close(closing));
        }
    }

    public void remove(Session session) {
        if (byId.remove(session.id()) == null) {
            return;
        }
        boolean[] last = {false};
        byUser.computeIfPresent(session.userId(), (u, held) -> {
            if (held instanceof Session[] small) {
                int i = Arrays.asList(small).indexOf(session);
                if (i < 0) {
                    return small;
                }
                if (small.length == 1) {
                    last[0] = true;
                    return null;
                }
                Session[] shrunk = new Session[small.length - 1];
                System.arraycopy(small, 0, shrunk, 0, i);
                System.arraycopy(small, i + 1, shrunk, i, shrunk.length - i);
                return shrunk;
            }
            Set<Session> set = asSet(held);
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
        Object held = byUser.get(userId);
        if (held == null) {
            return List.of();
        }
        return held instanceof Session[] small ? List.of(small) : List.copyOf(asSet(held));
    }

    /** How many sessions the user has on this node, without copying them. */
    public int countOfUser(String userId) {
        Object held = byUser.get(userId);
        if (held == null) {
            return 0;
        }
        return held instanceof Session[] small ? small.length : asSet(held).size();
    }

    @SuppressWarnings("unchecked")
    private static Set<Session> asSet(Object held) {
        return (Set<Session>) held;
    }

    public int size() {
        return byId.size();
    }

    /**
     * Closes every session, each on its own loop, and every session added from now on (a session
     * may so be told twice; closing is idempotent).
     */
    public void closeAll(CloseReason reason) {
        closingAll = reason;
        for (Session s : all()) {
            s.eventLoop().execute(() -> s.close(reason));
        }
    }
}
