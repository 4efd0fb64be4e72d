package dev.herald.server.chat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How many conversations one user may create per hour on this node
 * ({@code --max-new-conversations-per-hour}): without it any signed-in user could open a
 * conversation with every user id, a spam path into inboxes. App backends (API key) are not
 * counted. A fixed one-hour window per user; users whose window ended are forgotten once more
 * than {@value #PURGE_ABOVE} are tracked, so memory follows the active creators.
 *
 * <p>Thread-safe.
 */
public final class CreationQuota {
    static final long WINDOW_MILLIS = 3_600_000L;
    static final int PURGE_ABOVE = 50_000;

    private record Window(long start, int used) {
    }

    private final int perHour;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** @param perHour creations per user per hour; 0: users may not create conversations */
    public CreationQuota(int perHour, LongSupplier clockMillis) {
        if (perHour < 0) {
            throw new IllegalArgumentException("perHour: must be 0 or more, was " + perHour);
        }
        this.perHour = perHour;
        this.clock = clockMillis;
    }

    /** Whether users may create conversations at all (else only app backends do). */
    public boolean allowsUsers() {
        return perHour > 0;
    }

    /**
     * Takes one creation from the user's quota.
     *
     * @throws ChatException RATE_LIMITED when the user used up this hour's quota
     * @throws IllegalStateException when users may not create conversations ({@link #allowsUsers()})
     */
    public void take(String userId) {
        if (perHour == 0) {
            throw new IllegalStateException("users may not create conversations");
        }
        long now = clock.getAsLong();
        if (windows.size() > PURGE_ABOVE) {
            windows.values().removeIf(w -> now - w.start() >= WINDOW_MILLIS);
        }
        boolean[] over = new boolean[1];
        windows.compute(userId, (k, w) -> {
            if (w == null || now - w.start() >= WINDOW_MILLIS) {
                return new Window(now, 1);
            }
            if (w.used() >= perHour) {
                over[0] = true;
                return w;
            }
            return new Window(w.start(), w.used() + 1);
        });
        if (over[0]) {
            throw new ChatException(ChatException.Code.RATE_LIMITED, null,
                    "at most " + perHour + " new conversations per hour; try again later");
        }
    }

    /** Users tracked now (for tests). */
    int tracked() {
        return windows.size();
    }
}
