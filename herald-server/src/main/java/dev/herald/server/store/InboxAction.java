package dev.herald.server.store;

import java.util.Locale;
import java.util.Optional;

/**
 * What a user does to notifications of their inbox. Each action changes only the notifications
 * it applies to (marking a read notification read changes nothing), and the stream's counters
 * follow: {@code unread} and {@code unseen} count active (not archived) notifications only.
 */
public enum InboxAction {
    /** Seen: shown to the user (the badge counts unseen). */
    SEEN,
    /** Read, and so seen too. */
    READ,
    /** Unread again; it stays seen. */
    UNREAD,
    /** Out of the default feed and every count; listable with {@code archived=true}. */
    ARCHIVE,
    /** Back in the feed and the counts, with its read and seen state as it was. */
    UNARCHIVE,
    /** Gone for good. */
    DELETE;

    /** The name on the wire: {@code seen}, {@code read}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action for a wire name; empty for an unknown one. */
    public static Optional<InboxAction> fromWire(String name) {
        for (InboxAction a : values()) {
            if (a.wireName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
