package dev.herald.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Insert-or-replace of one row by its key, in SQL both H2 and PostgreSQL run: update the row, and
 * insert it when there was none. Two callers inserting the same new key at once: the second fails
 * on the key, and its transaction is retried ({@link Transactions} counts that as a lost race).
 * Stateless.
 */
public final class Upserts {
    private Upserts() {
    }

    /**
     * Writes {@code values} (column to value, in order; a null value is SQL NULL) to the row of
     * {@code table} whose {@code keyColumn} is {@code key}.
     */
    public static void put(Connection c, String table, String keyColumn, Object key, Map<String, Object> values)
            throws SQLException {
        List<String> columns = new ArrayList<>(values.keySet());
        StringBuilder update = new StringBuilder("UPDATE ").append(table).append(" SET ");
        for (int i = 0; i < columns.size(); i++) {
            update.append(i == 0 ? "" : ", ").append(columns.get(i)).append(" = ?");
        }
        update.append(" WHERE ").append(keyColumn).append(" = ?");
        try (PreparedStatement ps = c.prepareStatement(update.toString())) {
            int i = 1;
            for (String column : columns) {
                set(ps, i++, values.get(column));
            }
            set(ps, i, key);
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        String insert = "INSERT INTO " + table + " (" + keyColumn + ", " + String.join(", ", columns) + ") VALUES (?"
                + ", ?".repeat(columns.size()) + ")";
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            set(ps, 1, key);
            int i = 2;
            for (String column : columns) {
                set(ps, i++, values.get(column));
            }
            ps.executeUpdate();
        }
    }

    private static void set(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else {
            ps.setObject(index, value);
        }
    }
}
