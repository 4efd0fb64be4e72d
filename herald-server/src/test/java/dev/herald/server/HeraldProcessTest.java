package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.TempDirs;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/** Herald as an operator runs it: a separate process, killed with SIGKILL, started wrongly. */
class HeraldProcessTest {
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
    void everyAcknowledgedPublishSurvivesKillDashNine() throws Exception {
        Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (HeraldProcess herald = start()) {
            Api api = new Api("http://127.0.0.1:" + herald.awaitListening(), TestServer.API_KEY);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int publisher = p;
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        Api.Reply r = api.publish("{\"to\":{\"user\":\"durable-" + publisher + "\"},\"notification\":{\"type\":\"t\",\"i\":" + i + "}}");
                        if (r.status() == 201) {
                            acknowledged.add(r.json().get("ids").get(0).asText());
                        } else {
                            failures.add(r.status() + " " + r.body());
                        }
                    }
                }));
            }
            for (Thread t : publishers) {
                t.join();
            }
            herald.kill();
            assertThat(failures).isEmpty();
        }
        assertThat(acknowledged).hasSize(200);

        try (HeraldProcess restarted = start()) {
            Api api = new Api("http://127.0.0.1:" + restarted.awaitListening(), TestServer.API_KEY);
            TestTokens tokens = new TestTokens(TestServer.SECRET);
            Set<String> stored = new HashSet<>();
            for (int p = 0; p < 4; p++) {
                JsonNode page = api.asUser("GET", "/api/v1/me/notifications?limit=100", tokens.forUser("durable-" + p), null).json();
                page.get("notifications").forEach(n -> stored.add(n.get("id").asText()));
            }
            assertThat(stored).isEqualTo(acknowledged);
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
