package dev.herald.client;

/**
 * The user's counts of active notifications.
 *
 * @param unread not yet read
 * @param unseen not yet seen: the bell's badge
 */
public record InboxCounts(long unread, long unseen) {
}
