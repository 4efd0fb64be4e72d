package dev.herald.client;

import java.util.List;

/**
 * One page of the inbox, newest first.
 *
 * @param notifications the page; each {@code data()} also has {@code read_at}, {@code seen_at}, {@code archived_at}
 * @param nextCursor    pass to {@link Inbox#list(InboxFilter, int, String)} for older ones; null on the last page
 * @param counts        the user's whole counts
 */
public record InboxPage(List<Notification> notifications, String nextCursor, InboxCounts counts) {
}
