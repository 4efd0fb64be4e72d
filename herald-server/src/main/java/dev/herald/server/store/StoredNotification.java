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
 * @param seenAt      when it was marked seen (or read), or null
 * @param archivedAt  when it was archived, or null while it is active
 * @param unreadAfter the stream's unread count right after this notification was stored;
 *                    -1 when not known (e.g. rows read back from history)
 * @param unseenAfter the stream's unseen count right after it was stored; -1 when not known
 */
public record StoredNotification(String id, String stream, long seq, String type, String json,
                                 Instant createdAt, Instant readAt, Instant seenAt, Instant archivedAt,
                                 long unreadAfter, long unseenAfter) {

    /** A notification as a publish stores it: unread, unseen, active. */
    public static StoredNotification fresh(String id, String stream, long seq, String type, String json,
                                           Instant createdAt, long unreadAfter, long unseenAfter) {
        return new StoredNotification(id, stream, seq, type, json, createdAt, null, null, null, unreadAfter, unseenAfter);
    }
}
