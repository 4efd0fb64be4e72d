package dev.herald.client;

/** The counts of one inbox filter: how many match, and of those, how many are unread and unseen. */
public record FilterCounts(long total, long unread, long unseen) {
}
