package dev.herald.server.store;

import java.util.List;

/**
 * What a publish stored.
 *
 * @param notifications one per target stream, in the order they were stored
 * @param replayed      true when this answers a repeated idempotency key: nothing new was stored
 */
public record PublishResult(List<StoredNotification> notifications, boolean replayed) {
    public PublishResult {
        notifications = List.copyOf(notifications);
    }
}
