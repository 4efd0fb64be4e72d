package dev.herald.server.store.jdbc;

import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.stream.StreamState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The inbox's state changes (seen, read, unread, archive, unarchive, delete), keeping the stream
 * row's {@code unread} and {@code unseen} counters exact, and its filtered counts.
 *
 * <p>Each change runs inside the caller's transaction and first locks the stream row
 * ({@code SELECT ... FOR UPDATE}), the row a publish updates first. So a change and a concurrent
 * publish to the stream are serialized, the rows a change read cannot change before it writes
 * them, and every transaction takes the stream lock before any notification row (one lock order,
 * no deadlock). The counters move by what the rows were and became, so they stay exact and never
 * go below zero. Stateless.
 */
final class InboxRows {
    /** Most ids one action by ids takes, and the batch of an action by filter. */
    static final int MAX_IDS = 1000;

    /** How much later than its row's created_at an id's time may be (ids made before they took the batch's time). */
    private static final java.time.Duration ID_CLOCK_SLACK = java.time.Duration.ofMinutes(1);

    private static final String ROW_COLUMNS =
            "seq, id, read_at IS NOT NULL, seen_at IS NOT NULL, archived_at IS NOT NULL";

    private InboxRows() {
    }

    static Optional<StreamState> state(Connection c, String stream) throws SQLException {
        return select(c, stream, "SELECT last_seq, unread, unseen FROM streams WHERE stream_key = ?");
    }

    /** The action on the stream's notifications with these ids (unknown ids are skipped). */
    static InboxChange applyToIds(Connection c, String stream, InboxAction action, Collection<String> ids)
            throws SQLException {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
        if (distinct.size() > MAX_IDS) {
            throw new IllegalArgumentException("ids: at most " + MAX_IDS + ", was " + distinct.size());
        }
        Optional<StreamState> locked = lock(c, stream);
        if (locked.isEmpty() || distinct.isEmpty()) {
            return new InboxChange(stream, action, List.of(), List.of(), locked.orElse(StreamState.EMPTY), 0, false);
        }
        return change(c, stream, action, rowsWhereIn(c, stream, "id", distinct), 0, false);
    }

    /**
     * Deletes what is due, in one transaction: notifications whose expiry passed at {@code now}
     * (found through {@code notification_expiry}) and notifications created before
     * {@code retentionCutoff} (found through the time-ordered ids), at most {@code limit} of each.
     * Streams are locked in sorted order and each one's rows read again under its lock, so the
     * counters move by what was really deleted, also when another node purges the same rows.
     * Returns one change per stream that lost notifications, in stream order.
     */
    static List<InboxChange> purge(Connection c, Instant now, Instant retentionCutoff, int limit) throws SQLException {
        TreeMap<String, TreeSet<Long>> due = new TreeMap<>();
        List<Key> expiryRows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT stream_key, seq FROM notification_expiry "
                + "WHERE expires_at <= ? ORDER BY expires_at LIMIT ?")) {
            ps.setObject(1, NotificationRows.toDb(now));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Key key = new Key(rs.getString(1), rs.getLong(2));
                    due.computeIfAbsent(key.stream(), k -> new TreeSet<>()).add(key.seq());
                    expiryRows.add(key);
                }
            }
        }
        // Version 7 ids start with their creation time, so "created before the cutoff" is a range
        // of the unique id index; created_at decides, for ids made a little later than their
        // row's created_at (before ids took the batch's time) or of another shape.
        try (PreparedStatement ps = c.prepareStatement("SELECT stream_key, seq FROM notifications "
                + "WHERE id < ? AND created_at < ? ORDER BY id LIMIT ?")) {
            ps.setString(1, NotificationIds.lowestAt(retentionCutoff.plus(ID_CLOCK_SLACK)));
            ps.setObject(2, NotificationRows.toDb(retentionCutoff));
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getLong(2));
                }
            }
        }
        List<InboxChange> changes = new ArrayList<>();
        for (var e : due.entrySet()) {
            String stream = e.getKey();
            if (lock(c, stream).isEmpty()) {
                continue;
            }
            InboxChange change = change(c, stream, InboxAction.DELETE,
                    rowsWhereIn(c, stream, "seq", List.copyOf(e.getValue())), 0, false);
            if (!change.changed().isEmpty()) {
                changes.add(change);
            }
        }
        if (!expiryRows.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM notification_expiry WHERE stream_key = ? AND seq = ?")) {
                for (Key key : expiryRows) {
                    ps.setString(1, key.stream());
                    ps.setLong(2, key.seq());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return changes;
    }

    /**
     * The action on at most {@code limit} notifications matching the filter with
     * {@code afterSeq < seq <= upToSeq} that it would change, lowest seq first.
     */
    static InboxChange applyToMatching(Connection c, String stream, InboxAction action, InboxFilter filter,
                                       long afterSeq, long upToSeq, int limit) throws SQLException {
        if (limit < 1 || limit > MAX_IDS) {
            throw new IllegalArgumentException("limit: 1.." + MAX_IDS + ", was " + limit);
        }
        Optional<StreamState> locked = lock(c, stream);
        if (locked.isEmpty()) {
            return new InboxChange(stream, action, List.of(), List.of(), StreamState.EMPTY, upToSeq, false);
        }
        FilterSql where = FilterSql.of(filter);
        String sql = "SELECT " + ROW_COLUMNS + " FROM notifications WHERE stream_key = ? AND seq > ? AND seq <= ?"
                + where.sql() + wouldChange(action) + " ORDER BY seq LIMIT ?";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, stream);
            ps.setLong(i++, afterSeq);
            ps.setLong(i++, upToSeq);
            i = where.bind(ps, i);
            ps.setInt(i, limit);
            readRows(ps, rows);
        }
        boolean more = rows.size() == limit;
        long last = more ? rows.getLast().seq() : upToSeq;
        return change(c, stream, action, rows, last, more);
    }

    /** Counts per filter, in order, with one query each over the stream's rows. */
    static List<InboxCounts> counts(Connection c, String stream, List<InboxFilter> filters) throws SQLException {
        List<InboxCounts> out = new ArrayList<>(filters.size());
        Instant now = Instant.now();
        for (InboxFilter filter : filters) {
            FilterSql where = FilterSql.visible(filter, now);
            String sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0), "
                    + "COALESCE(SUM(CASE WHEN seen_at IS NULL THEN 1 ELSE 0 END), 0) "
                    + "FROM notifications WHERE stream_key = ?" + where.sql();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, stream);
                where.bind(ps, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(new InboxCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** Writes what the action does to each row it changes, then moves the counters by the difference. */
    private static InboxChange change(Connection c, String stream, InboxAction action, List<Row> rows,
                                      long lastSeq, boolean more) throws SQLException {
        List<String> matched = new ArrayList<>(rows.size());
        List<String> changed = new ArrayList<>();
        long unreadDelta = 0;
        long unseenDelta = 0;
        OffsetDateTime now = NotificationRows.toDb(Instant.now());
        try (PreparedStatement ps = c.prepareStatement(statement(action))) {
            for (Row before : rows) {
                matched.add(before.id());
                Row after = before.after(action);
                if (after != null && after.equals(before)) {
                    continue;
                }
                changed.add(before.id());
                unreadDelta += (after == null ? 0 : after.unreadCount()) - before.unreadCount();
                unseenDelta += (after == null ? 0 : after.unseenCount()) - before.unseenCount();
                int i = 1;
                switch (action) {
                    case SEEN, ARCHIVE -> ps.setObject(i++, now);
                    case READ -> {
                        ps.setObject(i++, now);
                        ps.setObject(i++, now);
                    }
                    default -> { }
                }
                ps.setString(i++, stream);
                ps.setLong(i, before.seq());
                ps.addBatch();
            }
            if (!changed.isEmpty()) {
                ps.executeBatch();
            }
        }
        if (unreadDelta != 0 || unseenDelta != 0) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE streams SET unread = GREATEST(unread + ?, 0), "
                    + "unseen = GREATEST(unseen + ?, 0) WHERE stream_key = ?")) {
                ps.setLong(1, unreadDelta);
                ps.setLong(2, unseenDelta);
                ps.setString(3, stream);
                ps.executeUpdate();
            }
        }
        return new InboxChange(stream, action, matched, changed, state(c, stream).orElse(StreamState.EMPTY), lastSeq, more);
    }

    private static String statement(InboxAction action) {
        String where = " WHERE stream_key = ? AND seq = ?";
        return switch (action) {
            case SEEN -> "UPDATE notifications SET seen_at = ?" + where;
            case READ -> "UPDATE notifications SET read_at = ?, seen_at = COALESCE(seen_at, ?)" + where;
            case UNREAD -> "UPDATE notifications SET read_at = NULL" + where;
            case ARCHIVE -> "UPDATE notifications SET archived_at = ?" + where;
            case UNARCHIVE -> "UPDATE notifications SET archived_at = NULL" + where;
            case DELETE -> "DELETE FROM notifications" + where;
        };
    }

    /** The condition a row must meet for the action to change it: a filter's batch holds only those. */
    private static String wouldChange(InboxAction action) {
        return switch (action) {
            case SEEN -> " AND seen_at IS NULL";
            case READ -> " AND read_at IS NULL";
            case UNREAD -> " AND read_at IS NOT NULL";
            case ARCHIVE -> " AND archived_at IS NULL";
            case UNARCHIVE -> " AND archived_at IS NOT NULL";
            case DELETE -> "";
        };
    }

    /**
     * The stream's rows whose {@code column} (id or seq) is one of {@code keys}, in seq order: one
     * statement per 64 keys, a short chunk padded with its last key (which the IN list ignores).
     */
    private static List<Row> rowsWhereIn(Connection c, String stream, String column, List<?> keys) throws SQLException {
        List<Row> rows = new ArrayList<>();
        String sql = "SELECT " + ROW_COLUMNS + " FROM notifications WHERE stream_key = ? AND " + column + " IN ("
                + "?, ".repeat(NotificationRows.IN_CHUNK - 1) + "?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from < keys.size(); from += NotificationRows.IN_CHUNK) {
                int to = Math.min(from + NotificationRows.IN_CHUNK, keys.size());
                ps.setString(1, stream);
                for (int i = 0; i < NotificationRows.IN_CHUNK; i++) {
                    ps.setObject(i + 2, keys.get(Math.min(from + i, to - 1)));
                }
                readRows(ps, rows);
            }
        }
        rows.sort(Comparator.comparingLong(Row::seq));
        return rows;
    }

    private static void readRows(PreparedStatement ps, List<Row> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                // A short IN chunk repeats its last id, which the IN list ignores: no row twice.
                into.add(new Row(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5)));
            }
        }
    }

    private static Optional<StreamState> lock(Connection c, String stream) throws SQLException {
        return select(c, stream, "SELECT last_seq, unread, unseen FROM streams WHERE stream_key = ? FOR UPDATE");
    }

    private static Optional<StreamState> select(Connection c, String stream, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StreamState(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                        : Optional.empty();
            }
        }
    }

    /** A notification's place: its stream and seq. */
    private record Key(String stream, long seq) {
    }

    /** A notification's state as the counters see it. */
    private record Row(long seq, String id, boolean read, boolean seen, boolean archived) {
        long unreadCount() {
            return !archived && !read ? 1 : 0;
        }

        long unseenCount() {
            return !archived && !seen ? 1 : 0;
        }

        /** The row after the action; null when deleted. */
        Row after(InboxAction action) {
            return switch (action) {
                case SEEN -> new Row(seq, id, read, true, archived);
                case READ -> new Row(seq, id, true, true, archived);
                case UNREAD -> new Row(seq, id, false, seen, archived);
                case ARCHIVE -> new Row(seq, id, read, seen, true);
                case UNARCHIVE -> new Row(seq, id, read, seen, false);
                case DELETE -> null;
            };
        }
    }
}
