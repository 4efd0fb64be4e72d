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
 * Does for an H2 file what H2's own background housekeeping would.
 *
 * <p>Herald opens H2 with {@code WRITE_DELAY=0}, so each commit is in the file before it is
 * acknowledged. H2 then writes one chunk per commit and runs none of its background
 * housekeeping (that thread exists only with a write delay). H2 still frees a chunk once nothing
 * in it is live, but a chunk that keeps a few live pages is never rewritten: in a ten-minute soak
 * the chunk descriptors in the heap grew with the commits for the whole run (77,647 to 84,882 in
 * one minute) and the file reached 4.4 GB for 0.5 GB of data.
 * Every {@link #INTERVAL} the store asks H2's own figures ({@code info.CHUNK_COUNT},
 * {@code info.CHUNKS_FILL_RATE}) and, when there are more than {@link #MIN_CHUNKS} chunks and
 * less than {@link #MAX_LIVE_PERCENT}% of them is live, copies the live pages out of the sparse
 * chunks ({@link MVStore#compact}, at most {@link #REWRITE_BYTES} a round); then it frees the
 * chunks that hold nothing live ({@code dropUnusedChunks}). H2 frees a chunk only once it is
 * older than its retention time (45 s by default, for disks that reorder writes), so the file
 * holds about that much of recent commits, and the heap their metadata, whatever the uptime.
 * ({@link MVStore#compactFile}, which moves chunks regardless, trips an internal assertion of
 * H2 2.4.240 in a test run with assertions on: not used.) Writes wait while a round runs. Stateless.
 */
final class H2Housekeeping {
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Fewer chunks than this are left alone: their metadata is small. */
    static final int MIN_CHUNKS = 256;
    /** Compact when less than this share of the chunks' space is live data. */
    static final int MAX_LIVE_PERCENT = 50;
    /** Live data copied out of sparse chunks in one round, at most; the rest waits for the next. */
    static final int REWRITE_BYTES = 16 << 20;

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
        MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                .getMvStore();
        boolean compacted = chunks > MIN_CHUNKS && live < MAX_LIVE_PERCENT
                && store.compact(MAX_LIVE_PERCENT, REWRITE_BYTES);
        store.getFileStore().dropUnusedChunks();
        Map<String, Long> after = figures(c);
        return new Round(chunks, live, after.getOrDefault("info.CHUNK_COUNT", 0L),
                after.getOrDefault("info.FILE_SIZE", 0L), compacted);
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
