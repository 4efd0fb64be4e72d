package dev.herald.server.notify;

import dev.herald.server.work.Periodic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * Deletes expired notifications, and those older than the retention, every {@link #INTERVAL}
 * ({@link NotificationService#purgeDue}), on a thread of its own. Expired notifications are out of
 * every feed, count and replay from their expiry on; the purge frees their rows and brings the
 * stream rows' counters (the badge) down within an interval. Every node runs it; the store makes
 * concurrent purges safe. Counted as {@code herald.notifications.purged}.
 */
public final class ExpiryPurge implements AutoCloseable {
    /** How often the purge runs. */
    public static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ExpiryPurge.class);

    private final NotificationService service;
    private final Duration retention;
    private final Counter purged;
    private final Periodic timer;

    /** Starts purging: the first round after {@code firstAfter}, then every {@link #INTERVAL}. */
    public ExpiryPurge(NotificationService service, Duration retention, MeterRegistry registry, Duration firstAfter) {
        this.service = Objects.requireNonNull(service, "service");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.purged = Counter.builder("herald.notifications.purged")
                .description("notifications deleted because they expired or passed the retention")
                .register(registry);
        this.timer = new Periodic("herald-notification-purge", firstAfter, INTERVAL, this::round);
    }

    /** One round; a failure is logged in one line and the next round tries again. */
    void round() {
        try {
            long n = service.purgeDue(retention);
            purged.increment(n);
            if (n > 0) {
                log.debug("purged {} notifications (expired, or older than {})", n, retention);
            }
        } catch (RuntimeException e) {
            log.warn("notification purge failed, next try in {}: {}", INTERVAL, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.close();
    }
}
