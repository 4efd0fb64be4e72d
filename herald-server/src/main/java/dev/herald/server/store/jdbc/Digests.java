package dev.herald.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One publish batch's digests: a grouped publish to a user replaces the user's unread, active,
 * unexpired notification of its group (when that one's latest event is within the publish's window) by a
 * new row carrying the new event, a new seq and the group's count. The replaced row, found in the
 * database or made earlier in this batch, is deleted after the batch's inserts, and the stream's
 * counters give back what it counted. Used by the writer thread, one instance per batch.
 */
final class Digests {
    /** How far back in a user's stream a digest is looked for: its newest seqs. */
    static final int LOOK_BACK = 1000;

    private static final String FIND = "SELECT seq, id, group_count, seen_at IS NULL FROM notifications "
            + "WHERE stream_key = ? AND seq > ? AND group_key = ? AND read_at IS NULL AND archived_at IS NULL "
            + "AND created_at >= ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq DESC LIMIT 1";

    /** A digest row: where it is, what it stands for, and whether it counted as unseen. */
    record Row(long seq, String id, int count, boolean unseen) {
    }

    /** The batch's newest row per stream and group, made here: the next event of the group joins it. */
    private final Map<String, Row> madeHere = new HashMap<>();
    private final Map<String, List<Long>> replacedSeqs = new TreeMap<>();
    /** Per stream: unread and unseen to give back for replaced rows. */
    private final Map<String, long[]> giveBack = new TreeMap<>();
    private PreparedStatement find;

    /**
     * The row a grouped publish to {@code stream} joins, or null for a new group. {@code lastSeq}
     * is the stream's seq before this publish; {@code now} the batch's time.
     */
    Row previous(Connection c, String stream, String groupKey, Duration window, long lastSeq, Instant now)
            throws SQLException {
        Row here = madeHere.get(stream + '\n' + groupKey);
        if (here != null) {
            return here; // made moments ago in this batch: within any window, unread, unseen
        }
        if (find == null) {
            find = c.prepareStatement(FIND);
        }
        find.setString(1, stream);
        find.setLong(2, lastSeq - LOOK_BACK);
        find.setString(3, groupKey);
        find.setObject(4, NotificationRows.toDb(now.minus(window)));
        find.setObject(5, NotificationRows.toDb(now));
        try (ResultSet rs = find.executeQuery()) {
            return rs.next() ? new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4)) : null;
        }
    }

    /** {@code made} (a new row of the group) replaces {@code previous} (null for a new group). */
    void made(String stream, String groupKey, Row made, Row previous) {
        madeHere.put(stream + '\n' + groupKey, made);
        if (previous != null) {
            replacedSeqs.computeIfAbsent(stream, s -> new ArrayList<>()).add(previous.seq());
            long[] counts = giveBack.computeIfAbsent(stream, s -> new long[2]);
            counts[0]++;
            counts[1] += previous.unseen() ? 1 : 0;
        }
    }

    /** Deletes the replaced rows (and their expiry entries) and gives their counts back; after the inserts. */
    void finish(Connection c) throws SQLException {
        if (find != null) {
            find.close();
        }
        if (replacedSeqs.isEmpty()) {
            return;
        }
        try (PreparedStatement rows = c.prepareStatement("DELETE FROM notifications WHERE stream_key = ? AND seq = ?");
             PreparedStatement expiries = c.prepareStatement(
                     "DELETE FROM notification_expiry WHERE stream_key = ? AND seq = ?")) {
            for (Map.Entry<String, List<Long>> e : replacedSeqs.entrySet()) {
                for (long seq : e.getValue()) {
                    for (PreparedStatement ps : List.of(rows, expiries)) {
                        ps.setString(1, e.getKey());
                        ps.setLong(2, seq);
                        ps.addBatch();
                    }
                }
            }
            rows.executeBatch();
            expiries.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET unread = unread - ?, unseen = unseen - ? WHERE stream_key = ?")) {
            for (Map.Entry<String, long[]> e : giveBack.entrySet()) {
                ps.setLong(1, e.getValue()[0]);
                ps.setLong(2, e.getValue()[1]);
                ps.setString(3, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The stored body of a group's row: the publish's object with the group's count and what it replaces. */
    static String body(String json, int count, String replaces) {
        StringBuilder sb = new StringBuilder(json.length() + 80);
        sb.append(json, 0, json.length() - 1).append(",\"group_count\":").append(count);
        if (replaces != null) {
            sb.append(",\"group_replaces\":\"").append(replaces).append('"');
        }
        return sb.append('}').toString();
    }

    /**
     * The push collapse key of a digest's pushes, so a device shows one notification per group:
     * the group key when it fits {@link dev.herald.server.store.PushRequest#MAX_COLLAPSE_KEY},
     * else a digest of it.
     */
    static String collapseKey(String groupKey) {
        if (groupKey.length() <= dev.herald.server.store.PushRequest.MAX_COLLAPSE_KEY) {
            return groupKey;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(groupKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "group-" + java.util.HexFormat.of().formatHex(hash, 0, 24);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
