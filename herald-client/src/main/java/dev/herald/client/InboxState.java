package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The user's last known counts, updated from frames (loop thread) and from inbox calls (callers'
 * threads); listeners hear of a change once. Thread-safe.
 */
final class InboxState {
    private final ClientRuntime rt;
    final Listeners<InboxListener> listeners = new Listeners<>();
    private InboxCounts counts; // guarded by this

    InboxState(ClientRuntime rt) {
        this.rt = rt;
    }

    synchronized InboxCounts counts() {
        return counts;
    }

    /** Takes the counts from a frame or answer; {@code unreadField} names the unread count there. */
    InboxCounts update(JsonNode body, String unreadField) {
        JsonNode unread = body.path(unreadField);
        JsonNode unseen = body.path("unseen_count");
        if (!unread.isNumber()) {
            return counts();
        }
        InboxCounts next;
        synchronized (this) {
            long unseenValue = unseen.isNumber() ? unseen.asLong() : counts == null ? 0 : counts.unseen();
            next = new InboxCounts(unread.asLong(), unseenValue);
            if (next.equals(counts)) {
                return next;
            }
            counts = next;
            // Posted under the lock, so listeners see the changes in the order they were made.
            rt.events.post(() -> listeners.each(l -> l.onCounts(next)));
        }
        return next;
    }

    void changed(InboxChange change) {
        rt.events.post(() -> listeners.each(l -> l.onChange(change)));
    }
}
