package dev.herald.server.store;

import java.util.List;

/**
 * What one inbox action did, in one transaction.
 *
 * @param stream   the stream it acted on, e.g. {@code user:42}
 * @param action   the action
 * @param matched  ids of the stream's notifications the action was asked for and found (by ids),
 *                 or that matched the filter in the batch's seq range (by filter)
 * @param changed  ids whose state the action changed (a subset of {@code matched}, in seq order)
 * @param state    the stream's counters after the transaction
 * @param lastSeq  by filter: the highest seq this batch looked at, where the next batch starts;
 *                 by ids: 0
 * @param more     by filter: the batch was full, so more may match above {@code lastSeq}
 */
public record InboxChange(String stream, InboxAction action, List<String> matched, List<String> changed,
                          dev.herald.server.stream.StreamState state, long lastSeq, boolean more) {
    public InboxChange {
        matched = List.copyOf(matched);
        changed = List.copyOf(changed);
    }
}
