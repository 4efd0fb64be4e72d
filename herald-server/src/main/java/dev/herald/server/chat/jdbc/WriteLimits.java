package dev.herald.server.chat.jdbc;

import java.time.Duration;

/**
 * How many chat sends may wait for the database, and for how long, before new ones are refused
 * at once. Immutable.
 *
 * @param maxQueued     sends waiting at most (each holds a parked virtual thread)
 * @param maxQueuedBytes their content at most, roughly in bytes of memory
 * @param maxQueueDelay a send is refused while the oldest waiting one has waited longer than
 *                      this: under overload the queue then holds about this much work, so an
 *                      accepted send is committed in about this time whatever the database's speed
 */
public record WriteLimits(int maxQueued, long maxQueuedBytes, Duration maxQueueDelay) {
    /** 4096 sends, 32 MiB, 2 s. */
    public static final WriteLimits DEFAULT = new WriteLimits(4096, 32L << 20, Duration.ofSeconds(2));

    public WriteLimits {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: must be at least 1, was " + maxQueued);
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes: must be at least 1, was " + maxQueuedBytes);
        }
        if (maxQueueDelay == null || maxQueueDelay.isNegative() || maxQueueDelay.isZero()) {
            throw new IllegalArgumentException("maxQueueDelay: must be positive, was " + maxQueueDelay);
        }
    }
}
