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
 * The embedded H2 file does not keep every chunk under one commit per publish (WRITE_DELAY=0),
 * and compaction keeps every notification, also across a reopen.
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

    /**
     * The node's file with H2's retention time at 0, so chunks a round frees go at once instead
     * of 45 s later (the node keeps H2's default).
     */
    private static JdbcStore openWithoutRetention(Path dir) {
        return JdbcStore.open("jdbc:h2:file:" + dir.resolve("herald").toAbsolutePath() + ";RETENTION_TIME=0", dir,
                batch -> { }, new SimpleMeterRegistry());
    }

    @Test
    void aFileOfMostlyDeadChunksIsCompactedAndKeepsEveryNotification() {
        H2Housekeeping.Round first;
        try (JdbcStore store = openWithoutRetention(dir)) {
            for (int i = 0; i < COMMITS; i++) {
                store.publish(notification(i)); // one at a time: one commit, one chunk each
            }
            first = store.compactH2();

            assertThat(first.compacted()).isTrue();
            assertThat(first.chunksBefore()).isGreaterThan(H2Housekeeping.MIN_CHUNKS);
            assertThat(first.livePercentBefore()).isLessThan(H2Housekeeping.MAX_LIVE_PERCENT);
            // The node runs a round every 10 s while commits go on; a chunk emptied by one round
            // is freed by a later one, once a commit has stored the rewrite.
            H2Housekeeping.Round last = first;
            for (int i = 0; i < 5; i++) {
                store.publish(new PublishRequest(List.of("user:other"), false, "t", "{}", null, null));
                last = store.compactH2();
            }
            assertThat(last.chunksAfter()).isLessThan(first.chunksBefore() / 2);
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
    void chunksYoungerThanH2sRetentionTimeAreKept() {
        try (JdbcStore store = openStore(dir)) {
            for (int i = 0; i < COMMITS; i++) {
                store.publish(notification(i));
            }
            H2Housekeeping.Round round = store.compactH2();
            // A disk may not have written the newest chunks yet: H2 neither rewrites nor frees
            // chunks younger than its retention time (45 s), so a round now changes nothing.
            assertThat(round.chunksBefore()).isGreaterThan(COMMITS);
            assertThat(round.compacted()).isFalse();
            assertThat(round.chunksAfter()).isGreaterThanOrEqualTo(round.chunksBefore());
            assertThat(store.readSince("user:u3", 0, 1000)).hasSize(COMMITS / 10);
        }
    }

    @Test
    void theStoreRunsARoundEveryIntervalOnItsOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JdbcStore store = JdbcStore.open(null, dir, batch -> { }, registry)) {
            store.publish(notification(1));
            // Each round is timed as herald.store.latency{op=compact}.
            org.awaitility.Awaitility.await().atMost(H2Housekeeping.INTERVAL.multipliedBy(2)).until(() -> {
                var rounds = registry.find("herald.store.latency").tag("op", "compact").timer();
                return rounds != null && rounds.count() > 0;
            });
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
