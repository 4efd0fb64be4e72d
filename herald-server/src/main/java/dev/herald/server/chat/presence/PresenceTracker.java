package dev.herald.server.chat.presence;

import dev.herald.server.broker.Broker;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.cluster.NodeDirectory;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.stream.StreamEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Online, offline, last seen and status of users, as their conversation partners see it.
 *
 * <p>A user is online while they have at least one open session of any transport on this
 * node (it listens to the {@link SessionRegistry}). When the last one closes, the user stays
 * online for a grace period; a reconnect within it (a page reload) cancels the offline, so
 * partners see no flap. Going online and offline is announced as {@code presence} on every
 * partner's {@code chatuser:} stream; going offline stores last seen. A status set with
 * {@link #setStatus} is stored and announced as {@code status_updated} to the partners and the
 * user's own other connections.
 *
 * <p>Thread-safe. The registry callbacks run on event loops and never block: store and
 * partner lookups run on {@code blocking}, timers on {@code scheduler}. Announcements of one
 * user carry an epoch; one that a newer change superseded before it was sent is dropped.
 * In a cluster ({@link #useDirectory}) online means online on any node, and the users of a
 * node that died go offline when its holds expire.
 */
public final class PresenceTracker implements SessionRegistry.UserListener {
    private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);
    public static final String DEFAULT_STATUS = "available";
    private static final Pattern STATUS = Pattern.compile("[^\\p{Cntrl}]{1,100}");

    private static final class UserState {
        boolean online;
        long epoch;
        ScheduledFuture<?> offlineTimer;
    }

    private final PresenceStore store;
    private final Function<String, Collection<String>> partners;
    private final Predicate<String> connected;
    private final Broker broker;
    private final ScheduledExecutorService scheduler;
    private final Executor blocking;
    private final Duration grace;
    private final Clock clock;
    private final Map<String, UserState> users = new ConcurrentHashMap<>();
    /**
     * Background presence work (announcing, storing last seen) that may touch the database runs
     * at most this many at a time: when thousands of users leave at once (a load balancer drain,
     * a network blip), their last-seen writes and partner lookups queue here instead of taking
     * every store connection, which made publishes and connects fail with 503 in the benchmark.
     */
    static final int MAX_CONCURRENT_STORE_WORK = 2;
    private final Semaphore storeWork = new Semaphore(MAX_CONCURRENT_STORE_WORK, true);
    private NodeDirectory directory = NodeDirectory.local();

    /**
     * @param partners  the users who see a user's presence (those sharing a conversation); blocking
     * @param connected whether the user has a session on this node now (the registry's truth,
     *                  consulted before going offline); must not block
     * @param grace     how long a user stays online after their last session closed
     */
    public PresenceTracker(PresenceStore store, Function<String, Collection<String>> partners,
                           Predicate<String> connected, Broker broker, ScheduledExecutorService scheduler,
                           Executor blocking, Duration grace, Clock clock) {
        this.store = store;
        this.partners = partners;
        this.connected = connected;
        this.broker = broker;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * Shares presence with the other nodes of a cluster: a user online on any node is online,
     * and goes offline when their last session anywhere closed (or their node died).
     */
    public void useDirectory(NodeDirectory directory) {
        this.directory = directory;
        directory.onOrphaned(key -> {
            if (key.startsWith(KEY_PREFIX)) {
                offlineAfterNodeLoss(key.substring(KEY_PREFIX.length()));
            }
        });
    }

    private static final String KEY_PREFIX = "presence:";

    private static String key(String userId) {
        return KEY_PREFIX + userId;
    }

    /** Runs presence work on {@code blocking}, at most {@link #MAX_CONCURRENT_STORE_WORK} at a time. */
    private void inBackground(Runnable work) {
        try {
            blocking.execute(() -> {
                storeWork.acquireUninterruptibly();
                try {
                    work.run();
                } finally {
                    storeWork.release();
                }
            });
        } catch (RejectedExecutionException e) {
            shuttingDown("presence update");
        }
    }

    /**
     * A connection that closes while the node shuts down finds the executors gone: its presence
     * change is dropped (the node's directory entries go with the node), with one DEBUG line,
     * not an error per connection.
     */
    private static void shuttingDown(String what) {
        log.debug("{} dropped: the node is shutting down", what);
    }

    /** The user's only node died: they are offline now, for every partner. */
    private void offlineAfterNodeLoss(String userId) {
        if (isOnlineHere(userId)) {
            return;
        }
        inBackground(() -> storeOfflineAfterNodeLoss(userId));
    }

    private void storeOfflineAfterNodeLoss(String userId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        try {
            store.saveLastSeen(userId, now);
        } catch (RuntimeException e) {
            log.warn("cannot store last seen user={}: {}", userId, e.toString());
        }
        UserState state = users.get(userId);
        announce(userId, state == null ? 0 : state.epoch, ChatFrames.presence(userId, false, now));
    }

    @Override
    public void firstSessionOpened(String userId) {
        long[] announce = {-1};
        users.compute(userId, (u, s) -> {
            UserState state = s != null ? s : new UserState();
            if (state.offlineTimer != null) {
                state.offlineTimer.cancel(false);
                state.offlineTimer = null;
            }
            if (!state.online) {
                state.online = true;
                announce[0] = ++state.epoch;
            }
            return state;
        });
        if (announce[0] >= 0) {
            long epoch = announce[0];
            inBackground(() -> {
                boolean elsewhere = directory.heldAnywhere(key(userId));
                directory.hold(key(userId));
                if (!elsewhere) {
                    announce(userId, epoch, ChatFrames.presence(userId, true, null));
                }
            });
        }
    }

    @Override
    public void lastSessionClosed(String userId) {
        users.computeIfPresent(userId, (u, state) -> {
            if (state.offlineTimer != null) {
                state.offlineTimer.cancel(false);
            }
            long epoch = state.epoch;
            try {
                state.offlineTimer = scheduler.schedule(() -> goOffline(userId, epoch), grace.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                state.offlineTimer = null;
                shuttingDown("offline timer");
            }
            return state;
        });
    }

    private void goOffline(String userId, long epochAtClose) {
        long[] announce = {-1};
        users.computeIfPresent(userId, (u, state) -> {
            // A session that opened during the grace period cancelled this timer; if it raced
            // past the cancel, the epoch or the timer shows it.
            if (state.epoch != epochAtClose || state.offlineTimer == null || !state.online) {
                return state;
            }
            // The registry calls listeners after its own update, from the loops of the sessions
            // involved: a "first opened" can run before the "last closed" it follows. The
            // registry itself knows whether the user is still connected.
            if (connected.test(userId)) {
                state.offlineTimer = null;
                return state;
            }
            state.online = false;
            state.offlineTimer = null;
            announce[0] = ++state.epoch;
            return null;
        });
        if (announce[0] < 0) {
            return;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored
        long epoch = announce[0];
        inBackground(() -> {
            directory.release(key(userId));
            if (directory.heldAnywhere(key(userId))) {
                return; // still connected on another node
            }
            // Queued, not awaited: the announcement carries the time itself.
            store.saveLastSeen(userId, now).whenComplete((stored, failure) -> {
                if (failure != null) {
                    log.debug("last seen not stored user={}: {}", userId, failure.toString());
                }
            });
            announce(userId, epoch, ChatFrames.presence(userId, false, now));
        });
    }

    private void announce(String userId, long epoch, byte[] frame) {
        try {
            Collection<String> to = partners.apply(userId);
            UserState state = users.get(userId);
            long current = state == null ? epoch : state.epoch;
            if (current != epoch || to.isEmpty()) {
                return;
            }
            for (StreamEvent e : ChatFrames.toUsers(to, "presence", frame)) {
                broker.publish(e);
            }
        } catch (RuntimeException e) {
            log.warn("cannot announce presence user={}: {}", userId, e.toString());
        }
    }

    /** True while the user is online on this node (grace period included). Never blocks. */
    public boolean isOnlineHere(String userId) {
        UserState s = users.get(userId);
        return s != null && s.online;
    }

    /** True while the user is online on any node of the cluster. Blocking in a cluster. */
    public boolean isOnline(String userId) {
        return isOnlineHere(userId) || directory.heldAnywhere(key(userId));
    }

    /**
     * Sets and announces a status: {@code available}, {@code busy} or any text of 1-100
     * characters. Blocking (stores it).
     *
     * @throws IllegalArgumentException naming {@code status} when it is not acceptable
     */
    public String setStatus(String userId, String status) {
        if (status == null || status.isBlank() || !STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("status: available, busy, or 1-100 characters of your own");
        }
        String value = status.strip();
        store.saveStatus(userId, value);
        List<String> to = new ArrayList<>(partners.apply(userId));
        to.add(userId);
        for (StreamEvent e : ChatFrames.toUsers(to, "status_updated", ChatFrames.statusUpdated(userId, value))) {
            broker.publish(e);
        }
        return value;
    }

    /** Presence of the given users. Blocking (reads stored status and last seen). */
    public List<PresenceView> presence(Collection<String> userIds) {
        Map<String, PresenceStore.Stored> stored = store.read(userIds);
        List<PresenceView> out = new ArrayList<>(userIds.size());
        for (String id : userIds) {
            PresenceStore.Stored s = stored.get(id);
            String status = s == null || s.status() == null ? DEFAULT_STATUS : s.status();
            out.add(new PresenceView(id, isOnline(id), status, s == null ? null : s.lastSeen()));
        }
        return out;
    }
}
