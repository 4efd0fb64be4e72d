package dev.herald.server.store.jdbc;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps an H2 file compact while the node runs.
 *
 * <p>Herald opens H2 with {@code WRITE_DELAY=0}, so each commit is in the file before it is
 * acknowledged. H2 then writes one chunk per commit and runs none of its background
 * housekeeping (that thread exists only with a write delay): under sustained load the file kept
 * one chunk per commit, almost all of it dead. 20,000 commits of one small row each made a
 * 365 MB file of 20,007 chunks, 1% of them live, and in a ten-minute soak the chunks' metadata
 * filled the heap. Every {@link #INTERVAL} the store asks H2's own figures ({@code info.CHUNK_COUNT},
 * {@code info.CHUNKS_FILL_RATE}) and, when there are more than {@link #MIN_CHUNKS} chunks and
 * less than {@link #MAX_LIVE_PERCENT}% of them is live, moves the live pages together
 * ({@link MVStore#compactFile}, at most {@link #BUDGET} at a time), as {@code SHUTDOWN COMPACT}
 * does at close. Writes wait while it runs. Stateless.
 */
final class H2Housekeeping {
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Fewer chunks than this are left alone: their metadata is small. */
    static final int MIN_CHUNKS = 1000;
    /** Compact when less than this share of the chunks' space is live data. */
    static final int MAX_LIVE_PERCENT = 50;
    /** How long one compaction may hold up writes; what is left waits for the next round. */
    static final Duration BUDGET = Duration.ofMillis(200);

    /** H2's figures before and after a round; {@code compacted} says whether it rewrote anything. */
    record Round(long chunksBefore, int livePercentBefore, long chunksAfter, long fileBytesAfter, boolean compacted) {
    }

    private H2Housekeeping() {
    }

    /** One round on a connection to the H2 database. */
    static Round run(Connection c) throws SQLException {
        Map<String, Long> before = figures(c);
        long chunks = before.getOrDefault("info.CHUNK_COUNT", 0L);
        int live = before.getOrDefault("info.CHUNKS_FILL_RATE", 100L).intValue();
        if (chunks <= MIN_CHUNKS || live >= MAX_LIVE_PERCENT) {
            return new Round(chunks, live, chunks, before.getOrDefault("info.FILE_SIZE", 0L), false);
        }
        MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                .getMvStore();
        store.compactFile((int) BUDGET.toMillis());
        Map<String, Long> after = figures(c);
        return new Round(chunks, live, after.getOrDefault("info.CHUNK_COUNT", 0L),
                after.getOrDefault("info.FILE_SIZE", 0L), true);
    }

    private static Map<String, Long> figures(Connection c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                + " WHERE SETTING_NAME IN ('info.CHUNK_COUNT', 'info.CHUNKS_FILL_RATE', 'info.FILE_SIZE')");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    out.put(rs.getString(1), Long.parseLong(rs.getString(2).trim()));
                } catch (NumberFormatException e) {
                    // Not a figure this H2 gives as a number: treated as absent.
                }
            }
        }
        return out;
    }
}
