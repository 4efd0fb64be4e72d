package dev.herald.server.store.jdbc;

import dev.herald.server.store.Preferences;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Users' preferences ({@code user_preferences}) and the version on their stream row that tells a
 * publish whether to look. Writes run in the caller's transaction under the stream row's lock,
 * the lock a publish takes first, so a publish sees the document whose version it read.
 */
final class PreferenceRows {
    /** Documents a writer keeps in memory, per writer; the version on the stream row says when one is stale. */
    static final int REMEMBERED = 10_000;

    private PreferenceRows() {
    }

    static Preferences read(Connection c, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM user_preferences WHERE stream_key = ?")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Preferences.parse(rs.getString(1)) : Preferences.DEFAULT;
            }
        }
    }

    /** Replaces the document and bumps the stream row's version, in the caller's transaction. */
    static void write(Connection c, String stream, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET prefs_version = prefs_version + 1 WHERE stream_key = ?")) {
            ps.setString(1, stream);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("stream row missing for " + stream, "HX002");
            }
        }
        java.util.LinkedHashMap<String, Object> values = new java.util.LinkedHashMap<>();
        values.put("body", body);
        values.put("updated_at", NotificationRows.toDb(Instant.now()));
        Upserts.put(c, "user_preferences", "stream_key", stream, values);
    }

    /**
     * A writer's memory of documents: stream -> (version, document), least recently used out
     * first. Used by one writer thread.
     */
    static final class Memory {
        private record Versioned(long version, Preferences preferences) {
        }

        private final Map<String, Versioned> byStream = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Versioned> eldest) {
                return size() > REMEMBERED;
            }
        };

        /**
         * The documents of these streams at these versions (all above 0), from memory or, for
         * those it lacks at that version, one query per 64.
         */
        Map<String, Preferences> of(Connection c, Map<String, Long> versions) throws SQLException {
            Map<String, Preferences> out = new HashMap<>();
            Map<String, Long> missing = new HashMap<>();
            versions.forEach((stream, version) -> {
                Versioned v = byStream.get(stream);
                if (v != null && v.version() == version) {
                    out.put(stream, v.preferences());
                } else {
                    missing.put(stream, version);
                }
            });
            if (!missing.isEmpty()) {
                NotificationRows.selectIn(c, "SELECT stream_key, body FROM user_preferences WHERE stream_key",
                        missing.keySet(), rs -> {
                            Preferences p = Preferences.parse(rs.getString(2));
                            byStream.put(rs.getString(1), new Versioned(missing.get(rs.getString(1)), p));
                            out.put(rs.getString(1), p);
                        });
            }
            return out;
        }
    }
}
