package dev.herald.server.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A publish kept until it is due ({@code deliver_at}).
 *
 * @param key         its idempotency key: cancels it; the release publishes with {@code "scheduled:" + key}
 * @param requestHash fingerprint of the request that scheduled it, to tell a retry from a conflict
 * @param deliverAt   when it is published
 * @param body        the publish's body as validated, without {@code deliver_at}
 */
public record ScheduledPublish(String key, String requestHash, Instant deliverAt, String body) {
    public ScheduledPublish {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestHash, "requestHash");
        Objects.requireNonNull(deliverAt, "deliverAt");
        Objects.requireNonNull(body, "body");
    }
}
