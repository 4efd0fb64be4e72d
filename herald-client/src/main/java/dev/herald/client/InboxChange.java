package dev.herald.client;

import java.util.List;

/**
 * What an inbox action changed, from this or another device of the user ({@code inbox} frame).
 *
 * @param action {@code seen}, {@code read}, {@code unread}, {@code archive}, {@code unarchive} or {@code delete}
 * @param ids    the notifications whose state changed
 * @param counts the counts after the change
 */
public record InboxChange(String action, List<String> ids, InboxCounts counts) {
}
