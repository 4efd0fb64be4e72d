package dev.herald.server.store;

import java.util.List;

/**
 * What a publish stored.
 *
 * @param notifications one per target stream, in the order they were stored
 * @param replayed      true when this answers a repeated idempotency key: nothing new was stored
 * @param muted         the user streams it was not stored in because their preferences mute it
 *                      (empty on a replay)
 */
public record PublishResult(List<StoredNotification> notifications, boolean replayed, List<String> muted) {
    public PublishResult {
        notifications = List.copyOf(notifications);
        muted = List.copyOf(muted);
    }

    /** A result without muted recipients. */
    public PublishResult(List<StoredNotification> notifications, boolean replayed) {
        this(notifications, replayed, List.of());
    }
}
