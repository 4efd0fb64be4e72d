package dev.herald.server.store.jdbc;

import dev.herald.server.stream.StreamState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Read markers and deletes, keeping the unread count of the stream row exact.
 *
 * <p>Each method runs inside the caller's transaction and first locks the stream row
 * ({@code SELECT ... FOR UPDATE}), the same row a publish updates first. So a mark-all-read and a
 * concurrent publish to the stream are serialized, and every transaction takes the stream lock
 * before any notification row lock (one lock order, no deadlock). Stateless.
 */
final class StreamCounters {

    private StreamCounters() {
    }

    static Optional<StreamState> state(Connection c, String stream) throws SQLException {
        return select(c, stream, "SELECT last_seq, unread FROM streams WHERE stream_key = ?");
    }

    static Optional<StreamState> markRead(Connection c, String stream, String id) throws SQLException {
        if (lock(c, stream).isEmpty()) {
            return Optional.empty();
        }
        int changed = update(c, "UPDATE notifications SET read_at = ? WHERE id = ? AND stream_key = ? AND read_at IS NULL",
                stream, id, true);
        if (changed == 0 && !exists(c, stream, id)) {
            return Optional.empty();
        }
        if (changed > 0) {
            decrementUnread(c, stream);
        }
        return state(c, stream);
    }

    static StreamState markAllRead(Connection c, String stream) throws SQLException {
        if (lock(c, stream).isEmpty()) {
            return StreamState.EMPTY;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE notifications SET read_at = ? WHERE stream_key = ? AND read_at IS NULL")) {
            ps.setObject(1, NotificationRows.toDb(Instant.now()));
            ps.setString(2, stream);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE streams SET unread = 0 WHERE stream_key = ?")) {
            ps.setString(1, stream);
            ps.executeUpdate();
        }
        return state(c, stream).orElse(StreamState.EMPTY);
    }

    static Optional<StreamState> delete(Connection c, String stream, String id) throws SQLException {
        if (lock(c, stream).isEmpty()) {
            return Optional.empty();
        }
        int unreadDeleted = update(c, "DELETE FROM notifications WHERE id = ? AND stream_key = ? AND read_at IS NULL",
                stream, id, false);
        if (unreadDeleted > 0) {
            decrementUnread(c, stream);
        } else if (update(c, "DELETE FROM notifications WHERE id = ? AND stream_key = ?", stream, id, false) == 0) {
            return Optional.empty();
        }
        return state(c, stream);
    }

    private static Optional<StreamState> lock(Connection c, String stream) throws SQLException {
        return select(c, stream, "SELECT last_seq, unread FROM streams WHERE stream_key = ? FOR UPDATE");
    }

    private static Optional<StreamState> select(Connection c, String stream, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StreamState(rs.getLong(1), rs.getLong(2))) : Optional.empty();
            }
        }
    }

    private static int update(Connection c, String sql, String stream, String id, boolean withReadAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (withReadAt) {
                ps.setObject(i++, NotificationRows.toDb(Instant.now()));
            }
            ps.setString(i++, id);
            ps.setString(i, stream);
            return ps.executeUpdate();
        }
    }

    private static boolean exists(Connection c, String stream, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM notifications WHERE id = ? AND stream_key = ?")) {
            ps.setString(1, id);
            ps.setString(2, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void decrementUnread(Connection c, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET unread = unread - 1 WHERE stream_key = ? AND unread > 0")) {
            ps.setString(1, stream);
            ps.executeUpdate();
        }
    }
}
