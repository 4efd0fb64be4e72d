package dev.herald.server.store.jdbc;

import dev.herald.server.store.InboxFilter;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link InboxFilter} as SQL conditions on {@code notifications} ({@code " AND ..."}, empty
 * for none) with the values to bind, in order. The conditions are applied along the scan of one
 * stream's primary key range: a user's stream is short, and every extra index would cost each
 * publish (see V1's comment).
 */
record FilterSql(String sql, List<Object> values) {

    /** What the reads add so an expired notification is out of every feed, count and replay at once. */
    static final String NOT_EXPIRED = " AND (expires_at IS NULL OR expires_at > ?)";

    /** The filter, and not expired at {@code now}: what feeds and counts show. */
    static FilterSql visible(InboxFilter filter, java.time.Instant now) {
        FilterSql f = of(filter);
        List<Object> values = new ArrayList<>(f.values());
        values.add(NotificationRows.toDb(now));
        return new FilterSql(f.sql() + NOT_EXPIRED, List.copyOf(values));
    }

    /** The filter's conditions alone (actions by filter take expired notifications too: the counters stay exact). */
    static FilterSql of(InboxFilter filter) {
        StringBuilder sql = new StringBuilder();
        List<Object> values = new ArrayList<>();
        switch (filter.archived()) {
            case ACTIVE -> sql.append(" AND archived_at IS NULL");
            case ARCHIVED -> sql.append(" AND archived_at IS NOT NULL");
            case ANY -> { }
        }
        if (filter.read() != null) {
            sql.append(filter.read() ? " AND read_at IS NOT NULL" : " AND read_at IS NULL");
        }
        if (filter.seen() != null) {
            sql.append(filter.seen() ? " AND seen_at IS NOT NULL" : " AND seen_at IS NULL");
        }
        if (filter.category() != null) {
            sql.append(" AND category = ?");
            values.add(filter.category());
        }
        if (filter.tag() != null) {
            sql.append(" AND tags LIKE ? ESCAPE '!'");
            values.add("%," + escapeLike(filter.tag()) + ",%");
        }
        String type = filter.type();
        if (type != null) {
            if (type.endsWith("*")) {
                sql.append(" AND type LIKE ? ESCAPE '!'");
                values.add(escapeLike(type.substring(0, type.length() - 1)) + "%");
            } else {
                sql.append(" AND type = ?");
                values.add(type);
            }
        }
        if (filter.createdAfter() != null) {
            sql.append(" AND created_at >= ?");
            values.add(NotificationRows.toDb(filter.createdAfter()));
        }
        if (filter.createdBefore() != null) {
            sql.append(" AND created_at < ?");
            values.add(NotificationRows.toDb(filter.createdBefore()));
        }
        return new FilterSql(sql.toString(), List.copyOf(values));
    }

    /** Binds the values from parameter {@code index} on; returns the next free index. */
    int bind(PreparedStatement ps, int index) throws SQLException {
        for (Object value : values) {
            ps.setObject(index++, value);
        }
        return index;
    }

    /** {@code text} with LIKE's wildcards (and the escape character {@code !}) taken literally. */
    static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
