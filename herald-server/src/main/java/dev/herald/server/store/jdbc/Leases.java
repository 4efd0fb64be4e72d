package dev.herald.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Work rows taken with a lease, portably: the due rows without a live lease are selected, then
 * each is taken by a conditional update of its {@code lease_until}, so of several callers (on any
 * node) exactly one takes each row, and a caller that dies leaves its rows to the others once the
 * lease ends. Used by the scheduled publishes and the push outbox. Stateless.
 */
public final class Leases {
    private Leases() {
    }

    /** Reads one selected row. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * Up to {@code limit} rows of {@code table} due at {@code now} (by {@code dueColumn}, earliest
     * first), each now leased to this caller until {@code now + lease}.
     *
     * @param columns the columns {@code read} reads, in order
     * @param key     the row's key, for the conditional update on {@code keyColumn}
     */
    public static <T> List<T> claim(Connection c, String table, String columns, String dueColumn, String keyColumn,
                                    Instant now, Duration lease, int limit, RowReader<T> read, Function<T, Object> key)
            throws SQLException {
        OffsetDateTime dbNow = NotificationRows.toDb(now);
        List<T> due = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + columns + " FROM " + table + " WHERE " + dueColumn
                + " <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY " + dueColumn + " LIMIT ?")) {
            ps.setObject(1, dbNow);
            ps.setObject(2, dbNow);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(read.read(rs));
                }
            }
        }
        List<T> claimed = new ArrayList<>(due.size());
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET lease_until = ? WHERE " + keyColumn
                + " = ? AND (lease_until IS NULL OR lease_until < ?)")) {
            for (T row : due) {
                ps.setObject(1, NotificationRows.toDb(now.plus(lease)));
                ps.setObject(2, key.apply(row));
                ps.setObject(3, dbNow);
                if (ps.executeUpdate() == 1) {
                    claimed.add(row);
                }
            }
        }
        return claimed;
    }
}
