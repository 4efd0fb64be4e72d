package dev.herald.server.chat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who is typing where, on this node. A typing state starts with {@link #start}, is kept alive
 * by {@link #refresh} (clients repeat {@code typing} while the user types) and ends with
 * {@link #stop} or by itself after {@link ChatSettings#typingExpiry()}, when the expiry
 * listener is told (it sends {@code stop_typing}).
 *
 * <p>Limits: starting and explicitly ending states cost a token from the user's bucket
 * ({@link ChatSettings#typingPerSecond()}, {@link ChatSettings#typingBurst()}); a refresh of a
 * running state is a map update and costs nothing. At most
 * {@link ChatSettings#maxTypingStates()} states exist at once; timers run on one shared
 * scheduler. Idle buckets are purged by {@link #purgeIdleBuckets()}.
 *
 * <p>Thread-safe; never blocks. The listener runs on the scheduler thread and must not block.
 */
public final class TypingTracker {
    /** Told when a typing state expired without a stop. */
    @FunctionalInterface
    public interface ExpiryListener {
        void expired(long conversationId, String userId);
    }

    /** What {@link #start} did. */
    public enum Start { STARTED, ALREADY_TYPING, TOO_MANY }

    private record Key(long conversationId, String userId) {
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    private final ChatSettings settings;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final Map<Key, ScheduledFuture<?>> states = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile ExpiryListener listener = (c, u) -> { };

    public TypingTracker(ChatSettings settings, ScheduledExecutorService scheduler, LongSupplier nanoClock) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
    }

    public void onExpiry(ExpiryListener listener) {
        this.listener = listener;
    }

    /** Takes one token from the user's bucket; false when the user is over the rate. */
    public boolean tryAcquire(String userId) {
        boolean[] ok = {false};
        buckets.compute(userId, (u, b) -> {
            long now = nanoClock.getAsLong();
            if (b == null) {
                b = new Bucket();
                b.tokens = settings.typingBurst();
                b.lastNanos = now;
            }
            double refill = (now - b.lastNanos) / 1e9 * settings.typingPerSecond();
            b.tokens = Math.min(settings.typingBurst(), b.tokens + refill);
            b.lastNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                ok[0] = true;
            }
            return b;
        });
        return ok[0];
    }

    /** Extends a running state's expiry; false when the user is not typing there. */
    public boolean refresh(long conversationId, String userId) {
        Key key = new Key(conversationId, userId);
        return states.computeIfPresent(key, (k, timer) -> {
            timer.cancel(false);
            return schedule(k);
        }) != null;
    }

    /** Starts a typing state (the caller checked membership and the rate). */
    public Start start(long conversationId, String userId) {
        Key key = new Key(conversationId, userId);
        if (states.size() >= settings.maxTypingStates() && !states.containsKey(key)) {
            return Start.TOO_MANY;
        }
        Start[] result = {Start.STARTED};
        states.compute(key, (k, timer) -> {
            if (timer != null) {
                timer.cancel(false);
                result[0] = Start.ALREADY_TYPING;
            }
            return schedule(k);
        });
        return result[0];
    }

    /** Ends a typing state; true when there was one (the caller then sends stop_typing). */
    public boolean stop(long conversationId, String userId) {
        ScheduledFuture<?> timer = states.remove(new Key(conversationId, userId));
        if (timer == null) {
            return false;
        }
        timer.cancel(false);
        return true;
    }

    public boolean isTyping(long conversationId, String userId) {
        return states.containsKey(new Key(conversationId, userId));
    }

    /** Typing states now open on this node. */
    public int activeCount() {
        return states.size();
    }

    /** Users with a rate bucket (for tests). */
    int bucketCount() {
        return buckets.size();
    }

    /** Drops rate buckets that have refilled completely: those users are not typing. */
    public void purgeIdleBuckets() {
        long now = nanoClock.getAsLong();
        long idleNanos = (long) (settings.typingBurst() / settings.typingPerSecond() * 1e9);
        for (String user : buckets.keySet()) {
            buckets.computeIfPresent(user, (u, b) -> now - b.lastNanos > idleNanos ? null : b);
        }
    }

    private ScheduledFuture<?> schedule(Key key) {
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        Runnable expire = () -> {
            // Only the timer that is still current may end the state: a refresh replaced older ones.
            if (self[0] != null && states.remove(key, self[0])) {
                listener.expired(key.conversationId(), key.userId());
            }
        };
        synchronized (self) {
            self[0] = scheduler.schedule(() -> {
                synchronized (self) {
                    expire.run();
                }
            }, settings.typingExpiry().toMillis(), TimeUnit.MILLISECONDS);
            return self[0];
        }
    }
}
