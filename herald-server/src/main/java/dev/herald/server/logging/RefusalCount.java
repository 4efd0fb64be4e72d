package dev.herald.server.logging;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts refusals (of connections, of writes) so they are logged in aggregate: at most one
 * {@link Summary} per interval, saying how many were refused since the last one. Callers build
 * their own line from it. Thread-safe and lock-free: of concurrent callers, one gets the summary.
 */
public final class RefusalCount {
    /** Refusals since the previous summary, over about {@code seconds} (at least 1). */
    public record Summary(long count, long seconds) {
    }

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong firstAt = new AtomicLong();
    private final AtomicLong saidAt;

    /** @param nanoTime the clock ({@link System#nanoTime} but in tests) */
    public RefusalCount(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.saidAt = new AtomicLong(nanoTime.getAsLong() - intervalNanos);
    }

    /** Counts one refusal. */
    public void add() {
        if (count.getAndIncrement() == 0) {
            firstAt.set(nanoTime.getAsLong());
        }
    }

    /**
     * The refusals since the last summary, when there are some and the interval has passed since
     * that summary (or {@code force}, e.g. before going quiet); else null.
     */
    public Summary takeIfDue(boolean force) {
        long now = nanoTime.getAsLong();
        long said = saidAt.get();
        if (count.get() == 0 || !force && now - said < intervalNanos || !saidAt.compareAndSet(said, now)) {
            return null;
        }
        long n = count.getAndSet(0);
        if (n == 0) {
            return null;
        }
        return new Summary(n, TimeUnit.NANOSECONDS.toSeconds(Math.max(0, now - firstAt.get())) + 1);
    }
}
