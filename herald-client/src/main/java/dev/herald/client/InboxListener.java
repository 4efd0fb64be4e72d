package dev.herald.client;

/**
 * The user's inbox state as it changes: counts (from {@code connected}, {@code unread_count},
 * {@code inbox} frames and inbox calls; only when they changed) and inbox changes made on any of
 * the user's devices. Called on the client's event thread; a listener that throws is logged and ignored.
 */
public interface InboxListener {
    default void onCounts(InboxCounts counts) {
    }

    default void onChange(InboxChange change) {
    }
}
