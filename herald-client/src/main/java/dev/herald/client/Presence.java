package dev.herald.client;

/**
 * A user's presence.
 *
 * @param online   an open connection, or within the grace period after the last one closed
 * @param status   {@code available}, {@code busy} or the user's own text; null in a chat {@code presence} frame
 * @param lastSeen when the user last went offline (ISO-8601), or null
 */
public record Presence(String userId, boolean online, String status, String lastSeen) {
}
