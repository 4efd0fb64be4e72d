package dev.herald.server.chat.presence;

import java.time.Instant;

/**
 * A user's presence as the API shows it.
 *
 * @param online   at least one open connection (or within the grace period after the last)
 * @param status   {@code available} (default), {@code busy} or the user's own text
 * @param lastSeen when the user last went offline, or null if never seen offline
 */
public record PresenceView(String userId, boolean online, String status, Instant lastSeen) {
}
