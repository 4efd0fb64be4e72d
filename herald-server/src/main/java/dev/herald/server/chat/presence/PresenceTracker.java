package dev.herald.server.chat.presence;

import dev.herald.server.broker.Broker;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.cluster.NodeDirectory;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.work.SingleWorker;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * <p>Thread-safe. The registry callbacks run on event loops and never block: announcements
 * queue, and one worker at a time on {@code blocking} takes up to {@link #ANNOUNCE_BATCH} of them,
 * does each one's directory and last-seen work, looks all their partners up in one query and
 * publishes; timers run on {@code scheduler}. After a mass disconnect (a load balancer drain, a
 * network cut, a restart) that is a few hundred queries for 20,000 users, not 20,000, and never
 * more than one store connection. Announcements of one user carry an epoch; one that a newer
 * change superseded before it was sent is dropped.
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
    private final PartnerLookup partners;
    private final Predicate<String> connected;
    private final Broker broker;
    private final ScheduledExecutorService scheduler;
    private final Duration grace;
    private final Clock clock;
    private final Map<String, UserState> users = new ConcurrentHashMap<>();
    /**
     * Announcements one worker takes at a time, their partners looked up in one query. Bounded
     * because each user may have up to the lookup's limit of partners (10,000 as assembled): 50
     * users' partners are at most 500,000 ids in memory, in the worst case of 50 members of one
     * huge group leaving together.
     */
    static final int ANNOUNCE_BATCH = 50;
    /** Announcements waiting for the worker; unbounded but one per user change, as the sessions that caused them. */
    private final ConcurrentLinkedQueue<Announcement> announcements = new ConcurrentLinkedQueue<>();
    /** Takes the announcements, one task at a time. */
    private final SingleWorker announcer;
    private NodeDirectory directory = NodeDirectory.local();

    /** The users who see each user's presence (those sharing a conversation). */
    @FunctionalInterface
    public interface PartnerLookup {
        /** For each of {@code userIds}, their partners; a user without any may be missing. Blocking. */
        Map<String, ? extends Collection<String>> partnersOf(Collection<String> userIds);
    }

    /** What to announce for one user: online, offline, or offline because their node died. */
    private enum Change { ONLINE, OFFLINE, NODE_LOST }

    /** A queued announcement; {@code epoch} -1: whatever the user's epoch is when it is sent. */
    private record Announcement(String userId, long epoch, Change change, Instant at) {
    }

    /**
     * @param partners  the users who see a user's presence (those sharing a conversation); blocking
     * @param connected whether the user has a session on this node now (the registry's truth,
     *                  consulted before going offline); must not block
     * @param grace     how long a user stays online after their last session closed
     */
    public PresenceTracker(PresenceStore store, PartnerLookup partners,
                           Predicate<String> connected, Broker broker, ScheduledExecutorService scheduler,
                           Executor blocking, Duration grace, Clock clock) {
        this.store = store;
        this.partners = partners;
        this.connected = connected;
        this.broker = broker;
        this.scheduler = scheduler;
        this.grace = grace;
        this.clock = clock;
        this.announcer = new SingleWorker(blocking, this::announceQueued, () -> !announcements.isEmpty());
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

    /** Queues an announcement and makes sure a worker takes it. */
    private void queue(Announcement a) {
        announcements.add(a);
        try {
            announcer.wake();
        } catch (RejectedExecutionException e) {
            // The node is shutting down: what is queued goes with it (its directory entries too).
            shuttingDown("presence update");
        }
    }

    /** The announcer's task: batches until the queue is empty. */
    private void announceQueued() {
        try {
            List<Announcement> batch = new ArrayList<>(ANNOUNCE_BATCH);
            Announcement a;
            while (true) {
                while (batch.size() < ANNOUNCE_BATCH && (a = announcements.poll()) != null) {
                    batch.add(a);
                }
                if (batch.isEmpty()) {
                    return;
                }
                announce(batch);
                batch.clear();
            }
        } catch (RuntimeException e) {
            log.warn("presence announcements failed: {}", e.toString());
        }
    }

    /** One batch: each announcement's directory and last-seen work, one partner lookup, the frames. */
    private void announce(List<Announcement> batch) {
        List<Announcement> due = new ArrayList<>(batch.size());
        for (Announcement a : batch) {
            try {
                if (prepare(a)) {
                    due.add(a);
                }
            } catch (RuntimeException e) {
                log.warn("cannot announce presence user={}: {}", a.userId(), e.toString());
            }
        }
        if (due.isEmpty()) {
            return;
        }
        Map<String, ? extends Collection<String>> to;
        try {
            to = partners.partnersOf(due.stream().map(Announcement::userId).distinct().toList());
        } catch (RuntimeException e) {
            log.warn("cannot announce presence of {} user(s): partners not read: {}", due.size(), e.toString());
            return;
        }
        for (Announcement a : due) {
            Collection<String> partnersOfUser = to.get(a.userId());
            if (partnersOfUser == null || partnersOfUser.isEmpty()) {
                continue;
            }
            byte[] frame = a.change() == Change.ONLINE ? ChatFrames.presence(a.userId(), true, null)
                    : ChatFrames.presence(a.userId(), false, a.at());
            send(a.userId(), a.epoch(), frame, partnersOfUser);
        }
    }

    /**
     * The directory and last-seen work of one announcement, before its partners are looked up;
     * false when there is nothing to announce (online elsewhere in the cluster already, or still).
     */
    private boolean prepare(Announcement a) {
        String key = key(a.userId());
        switch (a.change()) {
            case ONLINE -> {
                boolean elsewhere = directory.heldAnywhere(key);
                directory.hold(key);
                return !elsewhere;
            }
            case OFFLINE -> {
                directory.release(key);
                if (directory.heldAnywhere(key)) {
                    return false; // still connected on another node
                }
                saveLastSeen(a);
                return true;
            }
            case NODE_LOST -> {
                saveLastSeen(a);
                return true;
            }
            default -> throw new IllegalStateException("unknown change " + a.change());
        }
    }

    /** Queued to the presence store, not awaited: the announcement carries the time itself. */
    private void saveLastSeen(Announcement a) {
        store.saveLastSeen(a.userId(), a.at()).whenComplete((stored, failure) -> {
            if (failure != null) {
                log.debug("last seen not stored user={}: {}", a.userId(), failure.toString());
            }
        });
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
        queue(new Announcement(userId, -1, Change.NODE_LOST, clock.instant().truncatedTo(ChronoUnit.MILLIS)));
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
            queue(new Announcement(userId, announce[0], Change.ONLINE, null));
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
        // The time as stored (milliseconds).
        queue(new Announcement(userId, announce[0], Change.OFFLINE, clock.instant().truncatedTo(ChronoUnit.MILLIS)));
    }

    /** Publishes one user's presence frame to their partners, unless a newer change superseded it. */
    private void send(String userId, long epoch, byte[] frame, Collection<String> to) {
        UserState state = users.get(userId);
        if (epoch >= 0 && state != null && state.epoch != epoch) {
            return;
        }
        try {
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
        List<String> to = new ArrayList<>();
        Collection<String> partnersOfUser = partners.partnersOf(List.of(userId)).get(userId);
        if (partnersOfUser != null) {
            to.addAll(partnersOfUser);
        }
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
