package dev.herald.client;

/**
 * The answer to an inbox action.
 *
 * @param changed how many notifications changed state (0 or 1 for one notification)
 * @param counts  the user's counts after it
 */
public record InboxActionResult(long changed, InboxCounts counts) {
}
