package dev.herald.server.store;

import java.util.Objects;

/**
 * A page request for {@link Store#list}.
 *
 * @param beforeSeq only notifications with {@code seq < beforeSeq}; {@code Long.MAX_VALUE} for the newest
 * @param limit     page size, 1..1000
 * @param filter    which notifications ({@link InboxFilter#ACTIVE} for the default feed)
 */
public record NotificationQuery(long beforeSeq, int limit, InboxFilter filter) {
    public NotificationQuery {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit: must be 1..1000, was " + limit);
        }
        Objects.requireNonNull(filter, "filter");
    }

    /**
     * The active feed, optionally unread only and of a type.
     *
     * @param type exact type, or a prefix pattern ending in {@code *} (e.g. {@code order_*}); null for all
     */
    public NotificationQuery(long beforeSeq, int limit, boolean unreadOnly, String type) {
        this(beforeSeq, limit, new InboxFilter(InboxFilter.Archived.ACTIVE, unreadOnly ? Boolean.FALSE : null, null,
                null, null, type, null, null));
    }
}
