package dev.herald.server.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Which notifications of a user's stream a list, a count or a bulk action means. Every condition
 * given must hold; a null condition allows anything. Validated where it is parsed
 * ({@code api.InboxRequests}); this record only checks what would make a query wrong.
 *
 * @param archived      which of active and archived notifications
 * @param read          true: read only; false: unread only; null: both
 * @param seen          true: seen only; false: unseen only; null: both
 * @param category      exact category, or null
 * @param tag           one tag the notification must carry, or null
 * @param type          exact type, or a prefix pattern ending in {@code *} (e.g. {@code order_*}), or null
 * @param createdAfter  only notifications created at or after this instant, or null
 * @param createdBefore only notifications created before this instant, or null
 */
public record InboxFilter(Archived archived, Boolean read, Boolean seen, String category, String tag, String type,
                          Instant createdAfter, Instant createdBefore) {

    /** Which of active and archived notifications a filter takes. */
    public enum Archived { ACTIVE, ARCHIVED, ANY }

    /** The default feed: every active notification. */
    public static final InboxFilter ACTIVE = new InboxFilter(Archived.ACTIVE, null, null, null, null, null, null, null);

    /** Every notification, archived or not. */
    public static final InboxFilter EVERYTHING = new InboxFilter(Archived.ANY, null, null, null, null, null, null, null);

    public InboxFilter {
        Objects.requireNonNull(archived, "archived");
        if (type != null && type.indexOf('*') >= 0 && type.indexOf('*') != type.length() - 1) {
            throw new IllegalArgumentException("type: '*' only at the end");
        }
    }

    public InboxFilter withRead(Boolean value) {
        return new InboxFilter(archived, value, seen, category, tag, type, createdAfter, createdBefore);
    }

    public InboxFilter withArchived(Archived value) {
        return new InboxFilter(value, read, seen, category, tag, type, createdAfter, createdBefore);
    }
}
