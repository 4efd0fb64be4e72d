package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.presence.PresenceStore;
import dev.herald.server.store.jdbc.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PresenceStore} on the chat schema's {@code presence} table (H2 or PostgreSQL). It lives
 * beside {@link JdbcChatStore} because both own migration V100. An upsert is an UPDATE and,
 * when no row was there, an INSERT; two first writes racing on the primary key are retried by
 * {@link Transactions}. Thread-safe; every method blocks.
 */
public final class JdbcPresenceStore implements PresenceStore {
    private static final int MAX_READ = 1000;
    private final DataSource pool;

    public JdbcPresenceStore(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public void saveLastSeen(String userId, Instant at) {
        upsert(userId, "last_seen_at", at, "store last seen");
    }

    @Override
    public void saveStatus(String userId, String status) {
        upsert(userId, "status", status, "store a status");
    }

    private void upsert(String userId, String column, Object value, String what) {
        Object bound = value instanceof Instant i ? Sql.ts(i) : value;
        Transactions.run(pool, what, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE presence SET " + column + " = ? WHERE user_id = ?")) {
                ps.setObject(1, bound);
                ps.setString(2, userId);
                if (ps.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, " + column + ") VALUES (?, ?)")) {
                ps.setString(1, userId);
                ps.setObject(2, bound);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<String, Stored> read(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        if (userIds.size() > MAX_READ) {
            throw new IllegalArgumentException("userIds: at most " + MAX_READ + " at once");
        }
        List<String> ids = new ArrayList<>(userIds);
        return Transactions.run(pool, "read presence", c -> read(c, ids));
    }

    private static Map<String, Stored> read(Connection c, List<String> ids) throws SQLException {
        Map<String, Stored> out = new HashMap<>();
        String in = "?" + ",?".repeat(ids.size() - 1);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, status, last_seen_at FROM presence WHERE user_id IN (" + in + ")")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Stored(rs.getString(2), Sql.instant(rs, "last_seen_at")));
                }
            }
        }
        return out;
    }
}
