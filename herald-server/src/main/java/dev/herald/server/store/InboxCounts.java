package dev.herald.server.store;

/**
 * Counts of the notifications one {@link InboxFilter} matches.
 *
 * @param total  how many match
 * @param unread how many of them are unread
 * @param unseen how many of them are unseen
 */
public record InboxCounts(long total, long unread, long unseen) {
}
