package dev.herald.server.store;

import java.time.Instant;

/**
 * A committed notification.
 *
 * @param id          globally unique id (UUID text)
 * @param stream      stream key, e.g. {@code user:42}
 * @param seq         position in the stream, from 1, gap-free
 * @param type        the app's notification type
 * @param json        the app's notification object as published (contains {@code type})
 * @param createdAt   commit time, millisecond precision
 * @param readAt      when it was marked read, or null
 * @param unreadAfter the stream's unread count right after this notification was stored;
 *                    -1 when not known (e.g. rows read back from history)
 */
public record StoredNotification(String id, String stream, long seq, String type, String json,
                                 Instant createdAt, Instant readAt, long unreadAfter) {
}
