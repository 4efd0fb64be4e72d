package dev.herald.server.store.jdbc;

import dev.herald.server.store.StoredNotification;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Column list, row mapping and chunked IN queries shared by the reads and the writer. Stateless. */
final class NotificationRows {

    static final String COLUMNS = "id, stream_key, seq, type, body, created_at, read_at, seen_at, archived_at";

    /** IN lists are sent with this many placeholders (padded), so few distinct statements get prepared. */
    static final int IN_CHUNK = 64;

    private NotificationRows() {
    }

    /** Maps a row selected with {@link #COLUMNS}; history rows do not know their unread-after count. */
    static StoredNotification read(ResultSet rs) throws SQLException {
        return new StoredNotification(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                rs.getString(5), instant(rs, 6), instant(rs, 7), instant(rs, 8), instant(rs, 9), -1, -1);
    }

    /** Tags as the {@code tags} column keeps them, {@code ,a,b,}, so {@code LIKE '%,a,%'} finds one; null for none. */
    static String tagsToDb(List<String> tags) {
        return tags.isEmpty() ? null : "," + String.join(",", tags) + ",";
    }

    static List<StoredNotification> readAll(PreparedStatement ps) throws SQLException {
        List<StoredNotification> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    static OffsetDateTime toDb(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code selectPrefix + " IN (?, ?, ...)"} over {@code keys} in chunks of {@link #IN_CHUNK}.
     * Short chunks repeat their last key, which an IN list ignores.
     */
    static void selectIn(Connection c, String selectPrefix, Collection<String> keys, RowHandler handler)
            throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        String sql = selectPrefix + " IN (" + "?, ".repeat(IN_CHUNK - 1) + "?)";
        List<String> all = List.copyOf(keys);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                int to = Math.min(from + IN_CHUNK, all.size());
                for (int i = 0; i < IN_CHUNK; i++) {
                    ps.setString(i + 1, all.get(Math.min(from + i, to - 1)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        handler.row(rs);
                    }
                }
            }
        }
    }
}
