package dev.herald.server.notify;

import dev.herald.server.stream.Streams;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.store.InboxChange;
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
            "connected", "unread_count", "inbox", "error", "pong", "ping", "refresh", "token_refreshed",
            "mark_read", "mark_all_read");

    /** Fields Herald adds to every notification; apps may not set them. */
    public static final Set<String> RESERVED_FIELDS = Set.of("id", "seq", "created_at", "read_at", "seen_at",
            "archived_at", "expires_at", "group_key", "group_count", "group_replaces");

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
        boolean user = Streams.isUser(n.stream());
        return new StreamEvent(n.stream(), n.seq(), n.type(), n.createdAt().toEpochMilli(),
                user ? n.unreadAfter() : -1, user ? n.unseenAfter() : -1,
                sb.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * {@code {"type":"unread_count","count":N,"unseen_count":M}} for a stream, as an ephemeral
     * event; without {@code unseen_count} when {@code unseen} is -1 (not known).
     */
    public static StreamEvent unreadCount(String stream, long unread, long unseen) {
        String text = "{\"type\":\"unread_count\",\"count\":" + unread
                + (unseen < 0 ? "" : ",\"unseen_count\":" + unseen) + "}";
        return new StreamEvent(stream, 0, "unread_count", System.currentTimeMillis(), unread, unseen,
                text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The unread_count frame that follows a live notification carrying its stream's new counts. */
    public static StreamEvent unreadCountAfter(StreamEvent event) {
        return unreadCount(event.stream(), event.unread(), event.unseen());
    }

    /**
     * {@code {"type":"inbox","action":"archive","ids":[...],"unread_count":N,"unseen_count":M}}:
     * what an inbox action changed, for the user's other tabs and devices.
     */
    public static StreamEvent inboxChanged(InboxChange change) {
        StringBuilder sb = new StringBuilder(64 + 40 * change.changed().size());
        sb.append("{\"type\":\"inbox\",\"action\":\"").append(change.action().wireName()).append("\",\"ids\":[");
        for (int i = 0; i < change.changed().size(); i++) {
            // Ids are Herald's UUIDs: nothing to escape.
            sb.append(i == 0 ? "\"" : ",\"").append(change.changed().get(i)).append('"');
        }
        sb.append("],\"unread_count\":").append(change.state().unread())
                .append(",\"unseen_count\":").append(change.state().unseen()).append('}');
        return StreamEvent.ephemeral(change.stream(), "inbox", -1, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
