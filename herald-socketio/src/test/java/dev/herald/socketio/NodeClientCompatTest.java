package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official JavaScript client, socket.io-client v4 from the npm registry, against Herald's
 * server: WebSocket, polling, polling with upgrade, namespaces, acks both ways, binary, refused
 * namespaces, and connection state recovery. Each scenario is a node process
 * ({@code src/test/node/compat.mjs}) with a 20 s deadline of its own and a 40 s one here; it is
 * killed if still running. {@code npm ci} runs first when {@code node_modules} is missing.
 */
class NodeClientCompatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static ConformanceServer server;
    private static ConformanceServer recoveryServer;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(commandWorks(List.of("node", "--version")), "node is not installed");
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/socket.io-client"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(new File("target/npm-ci.log")).start();
            if (!npm.waitFor(180, TimeUnit.SECONDS)) {
                npm.destroyForcibly();
            }
            assertThat(npm.exitValue()).as("npm ci (see target/npm-ci.log)").isZero();
        }
        server = ConformanceServer.start("127.0.0.1", 0);
        recoveryServer = ConformanceServer.start("127.0.0.1", 0,
                ConformanceServer.suiteConfig().withRecovery(Duration.ofMinutes(2))
                        .withEngine(ConformanceServer.suiteEngineConfig("/socket.io/")
                                .withPing(Duration.ofSeconds(25), Duration.ofSeconds(20))));
        RecoveryHandlers.install(recoveryServer.socketIo().sockets());
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
        if (recoveryServer != null) {
            recoveryServer.close();
        }
    }

    private static boolean commandWorks(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            boolean done = p.waitFor(10, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            return done && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static JsonNode run(String scenario, int port) throws Exception {
        Process p = new ProcessBuilder("node", "compat.mjs", scenario, "http://127.0.0.1:" + port)
                .directory(NODE_DIR.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(40, TimeUnit.SECONDS)) {
                throw new AssertionError("node scenario " + scenario + " did not finish in 40 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String last = out.substring(out.lastIndexOf('\n') + 1);
            JsonNode result = JSON.readTree(last);
            assertThat(result.path("ok").asBoolean()).as("scenario %s: %s", scenario, out).isTrue();
            return result;
        } finally {
            p.destroyForcibly();
        }
    }

    private static void assertBasics(JsonNode r, String transport) {
        assertThat(r.get("auth").toString()).isEqualTo("{\"token\":\"abc\"}");
        assertThat(r.get("connected").asBoolean()).isTrue();
        assertThat(r.get("messageBack").toString()).isEqualTo("[1,\"2\",{\"3\":[true]}]");
        assertThat(r.get("ackAnswer").toString()).isEqualTo("{\"a\":1,\"b\":[2,3]}");
        assertThat(r.get("binaryBack").toString()).isEqualTo("[[1,2,3],[4,5]]");
        assertThat(r.get("serverAckRoundTrip").asText()).isEqualTo("ping-acked");
        assertThat(r.get("customAuth").toString()).isEqualTo("{\"ns\":\"custom\"}");
        assertThat(r.get("unknownNamespaceError").asText()).isEqualTo("Invalid namespace");
        assertThat(r.get("transport").asText()).isEqualTo(transport);
        assertThat(r.get("disconnectReason").asText()).isEqualTo("io client disconnect");
    }

    @Test
    void officialClientWorksOverWebSocket() throws Exception {
        assertBasics(run("websocket", server.port()), "websocket");
    }

    @Test
    void officialClientWorksOverLongPolling() throws Exception {
        assertBasics(run("polling", server.port()), "polling");
    }

    @Test
    void officialClientUpgradesFromPollingToWebSocket() throws Exception {
        JsonNode r = run("upgrade", server.port());
        assertThat(r.get("firstTransport").asText()).isEqualTo("polling");
        assertThat(r.get("upgradedTo").asText()).isEqualTo("websocket");
        assertThat(r.get("back").asText()).isEqualTo("after-upgrade");
    }

    @Test
    void officialClientKeepsOrderAndLargeMessagesOverPolling() throws Exception {
        JsonNode r = run("pollingOnly", server.port());
        assertThat(r.get("transport").asText()).isEqualTo("polling");
        assertThat(r.get("order").toString()).isEqualTo("[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]");
        assertThat(r.get("bigLength").asInt()).isEqualTo(100_000);
    }

    @Test
    void officialClientRecoversItsRoomsAndMissedBroadcastsOverWebSocket() throws Exception {
        JsonNode r = run("recovery", recoveryServer.port());
        assertThat(r.get("recovered").asBoolean()).isTrue();
        assertThat(r.get("sameId").asBoolean()).isTrue();
        assertThat(r.get("received").toString()).isEqualTo("[0,1,2,3,4]");
    }

    @Test
    void officialClientRecoversAfterALostPollingSession() throws Exception {
        JsonNode r = run("recoveryPolling", recoveryServer.port());
        assertThat(r.get("recovered").asBoolean()).isTrue();
        assertThat(r.get("received").toString()).isEqualTo("[0,1,2,3,4]");
    }
}
