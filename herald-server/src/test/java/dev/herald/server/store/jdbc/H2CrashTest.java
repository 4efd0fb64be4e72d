package dev.herald.server.store.jdbc;

import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.StoredNotification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durability of the embedded H2 file: a JVM killed right after publishes return loses none of
 * them. Runs {@link H2CrashChild} in a separate JVM and kills it with {@code destroyForcibly()}.
 */
class H2CrashTest {

    private static final int ACKS_BEFORE_KILL = 2_000;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(120)
    void everyAcknowledgedPublishSurvivesAKilledJvmAndSeqsStayGapFree() throws Exception {
        killAndCheck(false);
    }

    @Test
    @Timeout(120)
    void aJvmKilledWhileItCompactsTheFileLosesNothingAcknowledged() throws Exception {
        killAndCheck(true);
    }

    /** Kills the child after {@link #ACKS_BEFORE_KILL} acks (and, compacting, after a compaction). */
    private void killAndCheck(boolean compacting) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                H2CrashChild.class.getName(), dataDir.toString(), compacting ? "compacting" : "plain")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<String, Long> acknowledged = new HashMap<>();
        int acks = 0;
        int compactions = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean ready = false;
            while ((line = lines.readLine()) != null) {
                if (line.equals("ready") && !ready) {
                    ready = true;
                    // While the child holds the file, another process cannot open it.
                    assertThatThrownBy(() -> JdbcStore.open(null, dataDir, n -> { }, new SimpleMeterRegistry()))
                            .isInstanceOf(StoreUnavailableException.class)
                            .hasMessageStartingWith("cannot open H2 database in " + dataDir.toAbsolutePath().resolve("herald"));
                }
                if (line.equals("compacted")) {
                    compactions++;
                }
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("ack")) {
                    acknowledged.merge(parts[1], Long.parseLong(parts[2]), Math::max);
                    if (++acks >= ACKS_BEFORE_KILL && (!compacting || compactions >= 1)) {
                        // Publishers are mid-flight: some commits land in the same instant.
                        child.destroyForcibly();
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acks).as("acks read before the child died").isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
        if (compacting) {
            assertThat(compactions).as("compactions before the kill").isGreaterThanOrEqualTo(1);
        }

        try (JdbcStore reopened = JdbcStore.open(null, dataDir, n -> { }, new SimpleMeterRegistry())) {
            for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                long lastSeq = reopened.streamState(e.getKey()).lastSeq();
                assertThat(lastSeq).as("last seq of %s", e.getKey()).isGreaterThanOrEqualTo(e.getValue());
                assertThat(reopened.readSince(e.getKey(), 0, 100_000)).extracting(StoredNotification::seq)
                        .as("seqs of %s", e.getKey())
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, lastSeq).boxed().toList());
            }
        }
    }
}
