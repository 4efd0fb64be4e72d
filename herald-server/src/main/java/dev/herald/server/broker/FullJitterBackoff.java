package dev.herald.server.broker;

import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Reconnect delay: capped exponential backoff with full jitter, as in the AWS architecture
 * note "Exponential Backoff And Jitter": attempt {@code n} (from 1) waits a uniformly random
 * time in {@code [0, min(cap, base * 2^(n-1))]}. Spreading the whole interval (not half of it,
 * as Lettuce's own {@code Delay.fullJitter()} does) is what keeps a fleet of nodes from
 * reconnecting in step after a Redis restart.
 *
 * <p>Thread-safe when its random source is ({@link java.util.concurrent.ThreadLocalRandom} in
 * production; a seeded {@link Random} in tests, used from one thread).
 */
final class FullJitterBackoff extends Delay {
    private final long baseMillis;
    private final long capMillis;
    private final LongSupplier random;

    FullJitterBackoff(Duration base, Duration cap, LongSupplier random) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: must be > 0, was " + base);
        }
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap: must be >= base, was " + cap);
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    /** 100 ms doubling to a 10 s cap, with the thread-local random source. */
    static FullJitterBackoff standard() {
        return new FullJitterBackoff(Duration.ofMillis(100), Duration.ofSeconds(10),
                () -> java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** The ceiling of attempt {@code n}'s delay, before jitter. */
    long ceilingMillis(long attempt) {
        long doublings = Math.max(0, Math.min(attempt - 1, 40));
        long ceiling = baseMillis << doublings;
        return ceiling <= 0 || ceiling > capMillis ? capMillis : ceiling;
    }

    @Override
    public Duration createDelay(long attempt) {
        long ceiling = ceilingMillis(attempt);
        return Duration.ofMillis(Math.floorMod(random.getAsLong(), ceiling + 1));
    }
}
