package dev.herald.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates {@code streams} rows on first use and remembers which keys are known to exist, so a
 * publish to a known stream costs no extra statement.
 *
 * <p>Stream rows are never deleted, so a remembered key stays valid. The memory is bounded: past
 * {@link #MAX_KNOWN} keys it is cleared and refills on demand (a re-check is one cheap statement).
 * Thread-safe.
 */
final class StreamRows {

    static final int MAX_KNOWN = 200_000;

    /** Portable insert-if-absent. Two writers racing on one key: the loser gets a unique violation. */
    private static final String INSERT_MISSING = "INSERT INTO streams (stream_key, last_seq, unread) "
            + "SELECT CAST(? AS VARCHAR(255)), 0, 0 FROM (VALUES (1)) one(x) "
            + "WHERE NOT EXISTS (SELECT 1 FROM streams WHERE stream_key = ?)";

    private final Set<String> known = ConcurrentHashMap.newKeySet();

    boolean isKnown(String stream) {
        return known.contains(stream);
    }

    /**
     * Inserts the rows of the unknown keys on {@code c}, in sorted order (the caller passes them
     * sorted, so concurrent transactions lock in one order). Does not commit; call
     * {@link #remember} after the commit.
     */
    void insertMissing(Connection c, Collection<String> sortedKeys) throws SQLException {
        List<String> unknown = new ArrayList<>();
        for (String key : sortedKeys) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MISSING)) {
            for (String key : unknown) {
                ps.setString(1, key);
                ps.setString(2, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Creates one stream row in its own transaction; a concurrent creator winning is fine. */
    void ensure(Connection c, String stream) throws SQLException {
        if (known.contains(stream)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MISSING)) {
            ps.setString(1, stream);
            ps.setString(2, stream);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
        remember(List.of(stream));
    }

    /** Records committed stream rows. */
    void remember(Collection<String> streams) {
        if (known.size() + streams.size() > MAX_KNOWN) {
            known.clear();
        }
        known.addAll(streams);
    }
}
