package dev.herald.client;

import java.time.Duration;
import java.util.Random;

/**
 * Full-jitter exponential backoff: a uniformly random delay in
 * {@code [0, min(cap, base * 2^attempt))}, as in "Exponential Backoff And Jitter" (AWS
 * Architecture Blog, Marc Brooker, 2015) and as herald.js does: 1, 2, 4, 8, 16, 16, ... s by
 * default. Spreads a crowd of clients that lost the same node over the whole window.
 *
 * <p>Thread-safe when its {@link Random} is (the default is).
 */
public final class FullJitterBackoff implements Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final Random random;

    /** 1 s base, 16 s cap, as herald.js. */
    public FullJitterBackoff() {
        this(Duration.ofSeconds(1), Duration.ofSeconds(16), new Random());
    }

    /** @throws IllegalArgumentException when {@code base} is not positive or {@code cap} is below it */
    public FullJitterBackoff(Duration base, Duration cap, Random random) {
        if (base == null || base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: must be positive, was " + base);
        }
        if (cap == null || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap: must be at least base (" + base + "), was " + cap);
        }
        if (random == null) {
            throw new IllegalArgumentException("random: required");
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    @Override
    public Duration delay(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt: must be >= 0, was " + attempt);
        }
        long ceiling = baseMillis << Math.min(attempt, 30);
        if (ceiling <= 0 || ceiling > capMillis) {
            ceiling = capMillis;
        }
        return Duration.ofMillis((long) (random.nextDouble() * ceiling));
    }
}
