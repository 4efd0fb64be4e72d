package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.Inboxes;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.PublishLoad;
import dev.herald.server.testing.TempDirs;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Herald as an operator runs it: a separate process, killed with SIGKILL, started wrongly. */
class HeraldProcessTest {
    private static final TestTokens TOKENS = new TestTokens(TestServer.SECRET);
    private Path dataDir;

    @BeforeEach
    void createDataDir() throws Exception {
        dataDir = Files.createTempDirectory("herald-process-");
    }

    @AfterEach
    void deleteDataDir() {
        TempDirs.delete(dataDir);
    }

    private HeraldProcess start(String... extra) {
        List<String> args = new ArrayList<>(List.of("start", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", dataDir.toString(), "--jwt-secret", TestServer.SECRET, "--api-key", TestServer.API_KEY));
        args.addAll(List.of(extra));
        return HeraldProcess.run(args.toArray(String[]::new));
    }

    @Test
    void killDashNineUnderHeavyPublishingLosesNothingAcknowledgedAndSeqsContinueWithoutGapOrReuse() throws Exception {
        killUnderLoadThenRestart();
    }

    @Test
    @Tag("postgres")
    void killDashNineUnderHeavyPublishingOnPostgresqlLosesNothingAcknowledged() throws Exception {
        try (PostgresSupport pg = PostgresSupport.freshSchema("kill9")) {
            killUnderLoadThenRestart("--store", pg.storeUrl());
        }
    }

    /**
     * Four publishers publish to three users as fast as they can; once 500 publishes are
     * acknowledged the node is killed with SIGKILL mid-stream, then started again on the same
     * data. Every 2xx is stored with its seq, each user's seqs are 1..N, the next publish gets
     * N+1. Publishes that got no answer may or may not be stored: if stored, they fit the sequence.
     */
    private void killUnderLoadThenRestart(String... store) throws Exception {
        List<String> users = List.of("k0", "k1", "k2");
        int maxPerPublisher = 20_000;
        PublishLoad load;
        try (HeraldProcess herald = start(store)) {
            Api api = new Api("http://127.0.0.1:" + herald.awaitListening(), TestServer.API_KEY);
            load = PublishLoad.start(api, users, 4, maxPerPublisher);
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= 500 || load.finished());
            herald.kill();
            load.stop();
        }
        assertThat(load.acknowledged()).as("killed while publishing").isBetween(500, 4 * maxPerPublisher - 1);
        assertThat(load.refusedByStatus).as("refusals before the kill").isEmpty();

        try (HeraldProcess restarted = start(store)) {
            Api api = new Api("http://127.0.0.1:" + restarted.awaitListening(), TestServer.API_KEY);
            Map<String, Long> last = Inboxes.assertNothingAcknowledgedLost(api, users, load.acks);
            for (String user : users) {
                JsonNode next = api.notifyUser(user, "{\"type\":\"after-restart\"}");
                assertThat(next.get("notifications").get(0).get("seq").asLong()).as("next seq of %s", user)
                        .isEqualTo(last.get(user) + 1);
            }
        }
    }

    @Test
    void sigtermUnderLoadClosesClientsWith1001StopsAcceptingKeepsEveryAcknowledgedPublishAndExitsWithin15Seconds()
            throws Exception {
        List<String> users = List.of("d0", "d1", "d2");
        PublishLoad load;
        List<WsClient.Closed> closes = new ArrayList<>();
        int exit;
        Duration toExit;
        try (HeraldProcess herald = start()) {
            int port = herald.awaitListening();
            Api api = new Api("http://127.0.0.1:" + port, TestServer.API_KEY);
            List<WsClient> clients = new ArrayList<>();
            for (String user : users) {
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + port + "/ws/notifications?access_token=" + TOKENS.forUser(user), null);
                ws.nextOfType("connected", Duration.ofSeconds(10));
                clients.add(ws);
            }
            load = PublishLoad.start(api, users, 4, 20_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= 300 || load.finished());

            long t0 = System.nanoTime();
            herald.terminate();
            for (WsClient ws : clients) {
                closes.add(ws.awaitClose(Duration.ofSeconds(10)));
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> !accepts(port));
            exit = herald.awaitExit(Duration.ofSeconds(15));
            toExit = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(herald.output()).contains("closing 3 connections for shutdown").contains("node=node-1 stopped");
            load.stop();
            System.out.printf("SIGTERM drain: acks=%d unanswered=%d refused=%s exit=%d after %s%n", load.acknowledged(),
                    load.unanswered.get(), load.refusedByStatus, exit, toExit);
        }
        assertThat(closes).extracting(WsClient.Closed::code).containsOnly(1001);
        assertThat(exit).as("exit code after SIGTERM (docs/configuration.md)").isZero();
        assertThat(toExit).isLessThan(Duration.ofSeconds(15));
        assertThat(load.refusedByStatus.keySet()).as("refusals during the drain").isSubsetOf(503);

        try (HeraldProcess restarted = start()) {
            Api api = new Api("http://127.0.0.1:" + restarted.awaitListening(), TestServer.API_KEY);
            Map<String, Long> stored = Inboxes.assertNothingAcknowledgedLost(api, users, load.acks);
            // In-flight publishes were finished: every one that committed was also answered.
            assertThat(stored.values().stream().mapToLong(Long::longValue).sum())
                    .as("stored publishes (acknowledged: %d)", load.acknowledged()).isEqualTo(load.acknowledged());
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aPortInUseExitsWithAClearMessageAndNoStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            HeraldProcess herald = HeraldProcess.run("start", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()),
                    "--data-dir", dataDir.toString(), "--jwt-secret", TestServer.SECRET, "--api-key", TestServer.API_KEY);
            int exit = herald.awaitExit();
            assertThat(exit).isEqualTo(1);
            assertThat(herald.output()).contains("already in use").doesNotContain("\tat ");
        }
    }

    @Test
    void anUnusableDataDirExitsWithAClearMessage() throws Exception {
        Path file = Files.createFile(dataDir.resolve("not-a-dir"));
        HeraldProcess herald = HeraldProcess.run("start", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", file.toString(), "--jwt-secret", TestServer.SECRET, "--api-key", TestServer.API_KEY);
        assertThat(herald.awaitExit()).isEqualTo(1);
        assertThat(herald.output()).contains(file.toString()).doesNotContain("\tat ");
    }

    @Test
    void aBadFlagExitsWithUsage() {
        HeraldProcess herald = HeraldProcess.run("start", "--port", "not-a-port");
        assertThat(herald.awaitExit()).isEqualTo(2);
        assertThat(herald.output()).contains("--port").doesNotContain("\tat ");
    }
}
