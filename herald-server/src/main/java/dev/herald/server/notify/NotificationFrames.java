package dev.herald.server.notify;

import dev.herald.server.stream.Streams;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.store.StoredNotification;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Encodes notifications into the frames clients receive: the app's object at top level, with
 * Herald's {@code id}, {@code seq} and {@code created_at} appended. Pure functions.
 *
 * <p>The stored JSON is the compact object Herald serialized itself at publish time, so the
 * server fields are appended to its text instead of parsing and re-serializing it: one frame
 * costs one string build however large the app's object is.
 */
public final class NotificationFrames {
    /** Types Herald's own frames use on a notification socket; apps may not publish them. */
    public static final Set<String> RESERVED_TYPES = Set.of(
            "connected", "unread_count", "error", "pong", "ping", "refresh", "token_refreshed",
            "mark_read", "mark_all_read");

    /** Fields Herald adds to every notification; apps may not set them. */
    public static final Set<String> RESERVED_FIELDS = Set.of("id", "seq", "created_at", "read_at");

    private NotificationFrames() {
    }

    /** The frame of a stored notification, as sent on a live or resumed connection. */
    public static StreamEvent event(StoredNotification n) {
        String app = n.json().strip();
        if (!app.endsWith("}") || app.length() < 2) {
            throw new IllegalStateException("stored notification " + n.id() + " is not a JSON object");
        }
        StringBuilder sb = new StringBuilder(app.length() + 96);
        sb.append(app, 0, app.length() - 1);
        if (app.length() > 2) {
            sb.append(',');
        }
        sb.append("\"id\":\"").append(n.id())
                .append("\",\"seq\":").append(n.seq())
                .append(",\"created_at\":\"").append(DateTimeFormatter.ISO_INSTANT.format(n.createdAt()))
                .append("\"}");
        // Only a user's own stream has read state; a topic's counter means nothing to its readers.
        long unread = Streams.isUser(n.stream()) ? n.unreadAfter() : -1;
        return new StreamEvent(n.stream(), n.seq(), n.type(), n.createdAt().toEpochMilli(), unread,
                sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"type":"unread_count","count":N}} for a stream, as an ephemeral event. */
    public static StreamEvent unreadCount(String stream, long count) {
        byte[] json = ("{\"type\":\"unread_count\",\"count\":" + count + "}").getBytes(StandardCharsets.UTF_8);
        return StreamEvent.ephemeral(stream, "unread_count", count, json);
    }

    /** The unread_count frame that follows a live notification carrying its stream's new count. */
    public static StreamEvent unreadCountAfter(StreamEvent event) {
        return unreadCount(event.stream(), event.unread());
    }
}
