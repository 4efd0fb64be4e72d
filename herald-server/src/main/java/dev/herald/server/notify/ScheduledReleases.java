package dev.herald.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.work.Periodic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Releases scheduled publishes when they are due: every {@link #INTERVAL}, on every node, takes
 * up to {@link #BATCH} due ones (a lease of {@link #LEASE} keeps other nodes off them) and
 * publishes each as if it had just arrived: its body is validated again now, so {@code all}
 * means the users known now and a {@code ttl} counts from now. Counted as
 * {@code herald.notifications.scheduled.released}.
 */
public final class ScheduledReleases implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration LEASE = Duration.ofSeconds(30);
    static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(ScheduledReleases.class);

    private final NotificationService service;
    private final ObjectMapper json;
    private final int maxNotificationBytes;
    private final Counter released;
    private final Periodic timer;
    private volatile String lastFailure;

    public ScheduledReleases(NotificationService service, ObjectMapper json, int maxNotificationBytes, MeterRegistry registry) {
        this.service = service;
        this.json = json;
        this.maxNotificationBytes = maxNotificationBytes;
        this.released = Counter.builder("herald.notifications.scheduled.released")
                .description("scheduled publishes released when due").register(registry);
        this.timer = new Periodic("herald-scheduled-releases", INTERVAL, INTERVAL, this::round);
    }

    /** Releases batches until none is due; a failure is logged once per distinct message and retried next round. */
    void round() {
        try {
            int n;
            do {
                n = service.releaseDue(LEASE, BATCH, due -> {
                    try {
                        return PublishCommand.parse(json.readTree(due.body()), maxNotificationBytes, json, Instant.now());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                released.increment(n);
            } while (n == BATCH);
            lastFailure = null;
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                log.warn("releasing scheduled publishes failed, retrying every {}: {}", INTERVAL, e.getMessage());
            }
            lastFailure = String.valueOf(e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.close();
    }
}
