package dev.herald.server.store;

/**
 * Filters for {@link Store#list}.
 *
 * @param beforeSeq  only notifications with {@code seq < beforeSeq}; {@code Long.MAX_VALUE} for the newest
 * @param limit      page size, 1..1000
 * @param unreadOnly only notifications not marked read
 * @param type       exact type, or a prefix pattern ending in {@code *} (e.g. {@code order_*}); null for all
 */
public record NotificationQuery(long beforeSeq, int limit, boolean unreadOnly, String type) {
    public NotificationQuery {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit: must be 1..1000, was " + limit);
        }
    }
}
