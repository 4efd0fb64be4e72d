package dev.herald.server.store.jdbc;

import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.ScheduledPublish;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Scheduled publishes ({@code scheduled_publishes}, V107): kept until due, taken by one node at a
 * time with a lease, deleted once published. Portable statements, one at a time (autocommit):
 * a lease is a conditional update, so of two nodes only one takes a row; should a node die
 * between publishing and deleting, the release's idempotency key stores it once when another
 * node takes it after the lease. Stateless.
 */
final class ScheduledRows {

    private ScheduledRows() {
    }

    /** Keeps the publish; true when new, false when the same request was already scheduled. */
    static boolean insert(Connection c, ScheduledPublish p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scheduled_publishes "
                + "(idem_key, request_hash, deliver_at, body, lease_until, created_at) VALUES (?, ?, ?, ?, NULL, ?)")) {
            ps.setString(1, p.key());
            ps.setString(2, p.requestHash());
            ps.setObject(3, NotificationRows.toDb(p.deliverAt()));
            ps.setString(4, p.body());
            ps.setObject(5, NotificationRows.toDb(Instant.now()));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (!SqlFailures.isUniqueViolation(e)) {
                throw e;
            }
        }
        Optional<ScheduledPublish> existing = find(c, p.key());
        if (existing.isPresent() && existing.get().requestHash().equals(p.requestHash())) {
            return false;
        }
        throw new IdempotencyConflictException(p.key());
    }

    static Optional<ScheduledPublish> find(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT idem_key, request_hash, deliver_at, body FROM scheduled_publishes WHERE idem_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    static boolean delete(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM scheduled_publishes WHERE idem_key = ?")) {
            ps.setString(1, key);
            return ps.executeUpdate() > 0;
        }
    }

    /** Up to {@code limit} due publishes this caller now holds the lease of, earliest first. */
    static List<ScheduledPublish> claimDue(Connection c, Instant now, Duration lease, int limit) throws SQLException {
        return Leases.claim(c, "scheduled_publishes", "idem_key, request_hash, deliver_at, body", "deliver_at", "idem_key",
                now, lease, limit, ScheduledRows::read, ScheduledPublish::key);
    }

    private static ScheduledPublish read(ResultSet rs) throws SQLException {
        return new ScheduledPublish(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getString(4));
    }
}
