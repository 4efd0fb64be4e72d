package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.config.RelayRule;
import dev.herald.server.config.SocketIoSettings;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Herald's Socket.IO events with the official JavaScript client, socket.io-client v4 from npm,
 * driven by {@code src/test/node/herald.mjs} against a real {@link TestServer}: stories 4, 5 and 6,
 * auth refusals and recovery under a running publisher, over WebSocket only and over polling with
 * upgrade. Each node process has a 30 s deadline of its own and 45 s here; it is killed if still
 * running. Skipped without node.
 */
class HeraldSocketIoNodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final List<String> WEBSOCKET = List.of("websocket");
    private static final List<String> UPGRADE = List.of("polling", "websocket");
    private static final AtomicInteger USERS = new AtomicInteger();
    @RegisterExtension
    static final HeraldNodeExtension herald = new HeraldNodeExtension(b -> b.socketIo(SocketIoSettings.defaults()
            .withRelayRules(RelayRule.parseAll("bookingUpdate:booking:bookingId:bookingUpdated"))));

    @BeforeAll
    static void installTheClient() throws Exception {
        assumeTrue(commandWorks(List.of("node", "--version")), "node is not installed");
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/socket.io-client"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(new File("target/npm-ci.log")).start();
            if (!npm.waitFor(180, TimeUnit.SECONDS)) {
                npm.destroyForcibly();
            }
            assertThat(npm.exitValue()).as("npm ci (see target/npm-ci.log)").isZero();
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

    /** Three fresh users: a and b share a conversation and are granted topic booking:N; c is not. */
    private record Cast(String a, String b, String c, long conversationId, ObjectNode args) {
    }

    private static Cast cast(List<String> transports) {
        int n = USERS.incrementAndGet();
        String a = "sio-a-" + n, b = "sio-b-" + n, c = "sio-c-" + n;
        var created = herald.server().api.send("POST", "/api/v1/backend/conversations",
                "{\"kind\":\"group\",\"title\":\"t\",\"members\":[\"" + a + "\",\"" + b + "\"]}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long conversationId = created.json().get("conversation").get("id").asLong();
        TestTokens tokens = herald.server().tokens;
        String booking = String.valueOf(1000 + n);
        ObjectNode args = JSON.createObjectNode().put("apiKey", TestServer.API_KEY).put("conversationId", conversationId)
                .put("bookingId", booking);
        transports.forEach(args.putArray("transports")::add);
        args.putObject("users").put("a", a).put("b", b).put("c", c);
        args.putObject("tokens")
                .put("a", tokens.token(a, List.of("booking:" + booking), Duration.ofHours(1)))
                .put("b", tokens.token(b, List.of("booking:" + booking), Duration.ofHours(1)))
                .put("c", tokens.forUser(c))
                .put("expired", TestTokens.sign(TestServer.SECRET, a, List.of(), Instant.now().minusSeconds(60)))
                .put("badSig", TestTokens.sign("another-secret-another-secret-another-secret-0", a, List.of(),
                        Instant.now().plusSeconds(3600)));
        return new Cast(a, b, c, conversationId, args);
    }

    static JsonNode run(String scenario, ObjectNode args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "herald.mjs", scenario, "http://127.0.0.1:" + herald.server().port())
                .directory(NODE_DIR.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HERALD_ARGS", JSON.writeValueAsString(args));
        Process p = pb.start();
        try {
            if (!p.waitFor(45, TimeUnit.SECONDS)) {
                throw new AssertionError("node scenario " + scenario + " did not finish in 45 s");
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

    private static void assertStory4(Cast cast, JsonNode r) {
        assertThat(r.at("/joinA/ok").asBoolean()).isTrue();
        assertThat(r.at("/joinA/conversationId").asLong()).isEqualTo(cast.conversationId());
        assertThat(r.at("/joinB/ok").asBoolean()).as("a numeric string id is accepted").isTrue();
        assertThat(r.at("/joinOutsider/code").asText()).isEqualTo("conversation_not_found");
        assertThat(r.at("/joinOutsider/error").asText()).isNotBlank();
        assertThat(r.at("/outsiderErrorEvent/code").asText()).isEqualTo("conversation_not_found");
        assertThat(r.get("userTyping").toString())
                .isEqualTo("{\"userId\":\"" + cast.a() + "\",\"conversationId\":" + cast.conversationId() + "}");
        assertThat(r.get("userStoppedTyping").toString())
                .isEqualTo("{\"userId\":\"" + cast.a() + "\",\"conversationId\":" + cast.conversationId() + "}");
        JsonNode ack = r.get("sendAck");
        assertThat(ack.get("content").asText()).isEqualTo("hello over socket.io");
        assertThat(ack.get("conversationId").asLong()).isEqualTo(cast.conversationId());
        assertThat(ack.get("senderId").asText()).isEqualTo(cast.a());
        assertThat(ack.get("seq").asLong()).isPositive();
        for (String at : List.of("newMessageAtA", "newMessageAtB")) {
            assertThat(r.get(at).get("id")).as(at).isEqualTo(ack.get("id"));
            assertThat(r.get(at).get("content").asText()).as(at).isEqualTo("hello over socket.io");
        }
        assertThat(r.at("/outsiderSend/code").asText()).isEqualTo("conversation_not_found");
        assertThat(r.at("/badPayload/field").asText()).isEqualTo("conversationId");
        assertThat(r.at("/badPayload/code").asText()).isEqualTo("invalid_event");
        assertThat(r.at("/leave/ok").asBoolean()).isTrue();
        assertThat(r.get("afterLeave").asInt()).as("no newMessage after leaving").isZero();
        assertThat(r.at("/rateLimited/error").asText()).contains("20 per second");
    }

    @Test
    void story4ChatEventsWorkOverWebSocket() throws Exception {
        Cast cast = cast(WEBSOCKET);
        assertStory4(cast, run("story4", cast.args()));
    }

    @Test
    void story4ChatEventsWorkOverPollingThenUpgrade() throws Exception {
        Cast cast = cast(UPGRADE);
        assertStory4(cast, run("story4", cast.args()));
    }

    private static void assertStory5(JsonNode r) {
        assertThat(r.get("initialUnread").asLong()).isZero();
        JsonNode n = r.get("notification");
        assertThat(n.get("type").asText()).isEqualTo("order_ready");
        assertThat(n.get("title").asText()).isEqualTo("Order 42 is ready");
        assertThat(n.get("order_id").asInt()).isEqualTo(42);
        assertThat(r.get("published").toString()).contains(n.get("id").asText());
        assertThat(n.get("seq").asLong()).isEqualTo(1);
        assertThat(n.get("created_at").asText()).isNotBlank();
        assertThat(r.get("newNotification")).isEqualTo(n);
        assertThat(r.get("unreadCount").asLong()).isEqualTo(1);
    }

    @Test
    void story5PublishOverTheApiReachesTheSocketOverWebSocket() throws Exception {
        JsonNode r = run("story5", cast(WEBSOCKET).args());
        assertStory5(r);
        assertThat(r.get("transport").asText()).isEqualTo("websocket");
    }

    @Test
    void story5PublishOverTheApiReachesTheSocketOverPollingThenUpgrade() throws Exception {
        JsonNode r = run("story5", cast(UPGRADE).args());
        assertStory5(r);
        assertThat(r.get("finalTransport").asText()).isEqualTo("websocket");
    }

    private static void assertStory6(Cast cast, JsonNode r) {
        assertThat(r.at("/register/ok").asBoolean()).isTrue();
        assertThat(r.at("/register/userId").asText()).as("identity comes from the token").isEqualTo(cast.a());
        assertThat(r.at("/updateStatusAck/status").asText()).isEqualTo("busy");
        assertThat(r.get("statusUpdated").toString())
                .isEqualTo("{\"userId\":\"" + cast.a() + "\",\"status\":\"busy\"}");
        assertThat(r.get("userOnline").toString()).isEqualTo("{\"userId\":\"" + cast.b() + "\"}");
        assertThat(r.at("/relayAck/delivered").asInt()).isEqualTo(1);
        String booking = cast.args().get("bookingId").asText();
        assertThat(r.get("bookingUpdated").toString())
                .isEqualTo("{\"bookingId\":\"" + booking + "\",\"status\":\"confirmed\"}");
        assertThat(r.at("/relayRefused/code").asText()).isEqualTo("forbidden");
        assertThat(r.at("/relayRefused/error").asText()).contains("booking:" + booking);
        assertThat(r.at("/newNotification/type").asText()).isEqualTo("booking_confirmed");
        assertThat(r.at("/userOffline/userId").asText()).isEqualTo(cast.b());
        assertThat(r.at("/userOffline/lastSeen").asText()).isNotBlank();
    }

    @Test
    void story6BookingEventsWorkWithACookieTokenOverWebSocket() throws Exception {
        Cast cast = cast(WEBSOCKET);
        assertStory6(cast, run("story6", cast.args()));
    }

    @Test
    void story6BookingEventsWorkWithACookieTokenOverPollingThenUpgrade() throws Exception {
        Cast cast = cast(UPGRADE);
        assertStory6(cast, run("story6", cast.args()));
    }

    private static void assertRefusals(JsonNode r) {
        assertThat(r.at("/none/message").asText()).isEqualTo("token required");
        assertThat(r.at("/none/data/code").asText()).isEqualTo("token_required");
        assertThat(r.at("/expired/message").asText()).startsWith("token expired at ");
        assertThat(r.at("/expired/data/code").asText()).isEqualTo("token_expired");
        assertThat(r.at("/badSignature/message").asText()).startsWith("invalid token: ");
        assertThat(r.at("/badSignature/data/code").asText()).isEqualTo("invalid_token");
        assertThat(r.get("queryTokenConnected").asBoolean()).isTrue();
    }

    @Test
    void connectionsWithoutAValidTokenAreRefusedSayingWhyOverWebSocket() throws Exception {
        assertRefusals(run("auth", cast(WEBSOCKET).args()));
    }

    @Test
    void connectionsWithoutAValidTokenAreRefusedSayingWhyOverPolling() throws Exception {
        assertRefusals(run("auth", cast(List.of("polling")).args()));
    }

    private static void assertNoGapNoDuplicate(JsonNode r) {
        assertThat(r.get("recovered").asBoolean()).isTrue();
        assertThat(r.get("sameId").asBoolean()).isTrue();
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 40; i++) {
            expected.add(i);
        }
        List<Long> seqs = new ArrayList<>();
        r.get("seqs").forEach(s -> seqs.add(s.asLong()));
        assertThat(seqs).as("every notification once, in order").isEqualTo(expected);
    }

    @Test
    void aDroppedWebSocketRecoversWithoutMissingOrRepeatingANotification() throws Exception {
        assertNoGapNoDuplicate(run("recovery", cast(WEBSOCKET).args()));
    }

    @Test
    void aDroppedUpgradedConnectionRecoversWithoutMissingOrRepeatingANotification() throws Exception {
        assertNoGapNoDuplicate(run("recovery", cast(UPGRADE).args()));
    }

    @Test
    void recoveringAnotherUsersSessionIsRefused() throws Exception {
        JsonNode r = run("hijack", cast(WEBSOCKET).args());
        assertThat(r.get("message").asText()).isEqualTo("invalid token: the recovered session belongs to another user");
        assertThat(r.at("/data/code").asText()).isEqualTo("invalid_token");
    }

    @Test
    void aSocketThatDroppedBeforeItsFirstNotificationGetsEverythingPublishedWhileAway() throws Exception {
        JsonNode r = run("recoveryQuiet", cast(WEBSOCKET).args());
        assertThat(r.get("recovered").asBoolean()).isTrue();
        assertThat(r.get("seqs").toString()).isEqualTo("[1,2,3]");
    }
}
