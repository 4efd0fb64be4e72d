package dev.herald.server.store.jdbc;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Notification ids: version 7 UUIDs (RFC 9562), a millisecond timestamp followed by 74 random
 * bits. Time-ordered ids land at the right end of the unique index, so a batch of inserts
 * rewrites a few index pages instead of one random page per row (H2's copy-on-write store and
 * PostgreSQL's B-tree both pay for random keys). Thread-safe.
 */
final class NotificationIds {

    private NotificationIds() {
    }

    /**
     * The smallest version 7 id of {@code instant}'s millisecond: every id made earlier sorts
     * below it as text (lowercase hex, fixed width), every later one above.
     */
    static String lowestAt(java.time.Instant instant) {
        long millis = Math.max(0, instant.toEpochMilli());
        return new UUID((millis << 16) | 0x7000L, 0x8000000000000000L).toString();
    }

    /** An id whose time part is {@code millis}: a batch gives its commit time, the rows' created_at. */
    static String next(long millis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0fffL);
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
