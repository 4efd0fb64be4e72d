package dev.herald.server.store.jdbc;

import dev.herald.server.store.PublishRequest;
import dev.herald.server.testing.TempDirs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded H2 file stays compact under one commit per publish (WRITE_DELAY=0), and
 * compaction keeps every notification, also across a reopen.
 */
class H2HousekeepingTest {
    private static final int COMMITS = 2_500;
    private Path dir;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("herald-h2-housekeeping-");
    }

    @AfterEach
    void delete() {
        TempDirs.delete(dir);
    }

    private static PublishRequest notification(int i) {
        return new PublishRequest(List.of("user:u" + (i % 10)), false, "t", "{\"type\":\"t\",\"i\":" + i + "}", null,
                null);
    }

    private static JdbcStore openStore(Path dir) {
        return JdbcStore.open(null, dir, batch -> { }, new SimpleMeterRegistry());
    }

    @Test
    void aFileOfMostlyDeadChunksIsCompactedAndKeepsEveryNotification() throws Exception {
        long sizeBefore;
        H2Housekeeping.Round round;
        try (JdbcStore store = openStore(dir)) {
            for (int i = 0; i < COMMITS; i++) {
                store.publish(notification(i)); // one at a time: one commit, one chunk each
            }
            sizeBefore = Files.size(dir.resolve("herald.mv.db"));
            round = store.compactH2();

            assertThat(round.compacted()).isTrue();
            assertThat(round.chunksBefore()).isGreaterThan(COMMITS);
            assertThat(round.livePercentBefore()).isLessThan(H2Housekeeping.MAX_LIVE_PERCENT);
            assertThat(round.chunksAfter()).as("one round, bounded in time").isLessThan(round.chunksBefore() / 2);
            // The node runs a round every 10 s; a few rounds finish the work.
            H2Housekeeping.Round last = round;
            for (int i = 0; i < 5 && last.compacted(); i++) {
                last = store.compactH2();
            }
            assertThat(last.compacted()).as("nothing left worth a round").isFalse();
            assertThat(last.chunksAfter()).isLessThanOrEqualTo(H2Housekeeping.MIN_CHUNKS);
            assertThat(last.fileBytesAfter()).isLessThan(sizeBefore / 2);
            for (int u = 0; u < 10; u++) {
                assertThat(store.readSince("user:u" + u, 0, 1000)).hasSize(COMMITS / 10);
            }
            assertThat(store.publish(notification(COMMITS)).notifications()).hasSize(1);
        }
        try (JdbcStore reopened = openStore(dir)) {
            assertThat(reopened.readSince("user:u0", 0, 1000)).hasSize(COMMITS / 10 + 1);
            assertThat(reopened.readSince("user:u9", 0, 1000)).extracting(n -> n.seq())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COMMITS / 10).boxed().toList());
        }
    }

    @Test
    void aSmallFileIsLeftAlone() {
        try (JdbcStore store = openStore(dir)) {
            store.publish(notification(1));
            H2Housekeeping.Round round = store.compactH2();
            assertThat(round.compacted()).isFalse();
            assertThat(round.chunksBefore()).isLessThanOrEqualTo(H2Housekeeping.MIN_CHUNKS);
        }
    }
}
