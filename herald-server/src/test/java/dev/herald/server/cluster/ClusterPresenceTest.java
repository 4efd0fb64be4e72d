package dev.herald.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.RedisSupport;
import dev.herald.server.testing.TempDirs;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence and "in the chat" across nodes: a user is online while connected to any node, goes
 * offline once their last connection anywhere closed, or soon after their node dies; a user who
 * has the chat open on another node gets no new_message notification.
 */
@Tag("postgres")
@Tag("redis")
class ClusterPresenceTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static long directConversation(TestServer node, String creator, String other) {
        Api.Reply r = node.api.asUser("POST", "/api/v1/conversations", node.tokens.forUser(creator),
                "{\"kind\":\"direct\",\"members\":[\"" + other + "\"]}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json().get("conversation").get("id").asLong();
    }

    /** The next presence frame about {@code user}, skipping everything else. */
    private static JsonNode presenceOf(WsClient ws, String user, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode f = ws.nextOfType("presence", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (f.get("user_id").asText().equals(user)) {
                return f;
            }
        }
    }

    @Test
    void aUserConnectedToTwoNodesGoesOfflineOnlyWhenTheLastConnectionCloses() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("presence");
             TestServer a = TestServer.start(b -> b.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("a"));
             TestServer b = TestServer.start(c -> c.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("b"))) {
            directConversation(a, "bob", "ann");
            try (WsClient bob = a.connectAs("bob", "/ws/chat")) {
                bob.nextOfType("connected", WAIT);
                WsClient annOnB = b.connectAs("ann", "/ws/chat");
                annOnB.nextOfType("connected", WAIT);
                assertThat(presenceOf(bob, "ann", WAIT).get("status").asText()).isEqualTo("online");
                WsClient annOnA = a.connectAs("ann", "/ws/notifications");
                annOnA.nextOfType("connected", WAIT);

                annOnB.close();
                // Past the 5 s grace period: ann is still connected to node a, so no offline.
                long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < until) {
                    JsonNode f = bob.poll(Duration.ofMillis(500));
                    if (f != null && f.path("type").asText().equals("presence")) {
                        assertThat(f.get("status").asText()).as("ann is still connected to node a").isEqualTo("online");
                    }
                }
                assertThat(b.api.send("GET", "/api/v1/presence?users=ann", null,
                        java.util.Map.of("Authorization", "Bearer " + TestServer.API_KEY)).body()).contains("\"online\":true");

                annOnA.close();
                JsonNode offline = presenceOf(bob, "ann", WAIT);
                assertThat(offline.get("status").asText()).isEqualTo("offline");
                assertThat(offline.get("last_seen").isNull()).isFalse();
            }
        }
    }

    @Test
    void theUsersOfANodeThatDiesGoOfflineForTheirPartnersOnOtherNodes() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        Path dir = Files.createTempDirectory("herald-presence-");
        try (PostgresSupport pg = PostgresSupport.freshSchema("deadnode");
             TestServer a = TestServer.start(b -> b.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("a"));
             HeraldProcess doomed = HeraldProcess.run("start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.toString(),
                     "--store", pg.storeUrl(), "--broker", broker, "--node-id", "doomed",
                     "--jwt-secret", TestServer.SECRET, "--api-key", TestServer.API_KEY)) {
            int doomedPort = doomed.awaitListening();
            directConversation(a, "carl", "dora");
            try (WsClient carl = a.connectAs("carl", "/ws/chat")) {
                carl.nextOfType("connected", WAIT);
                WsClient dora = WsClient.connect("ws://127.0.0.1:" + doomedPort + "/ws/chat?access_token="
                        + new TestTokens(TestServer.SECRET).forUser("dora"), null);
                dora.nextOfType("connected", WAIT);
                assertThat(presenceOf(carl, "dora", WAIT).get("status").asText()).isEqualTo("online");

                doomed.kill();
                JsonNode offline = presenceOf(carl, "dora", Duration.ofSeconds(45));
                assertThat(offline.get("status").asText()).isEqualTo("offline");
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void chatCrossesNodesAndAUserWithTheChatOpenOnAnotherNodeGetsNoNewMessageNotification() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("viewers");
             TestServer a = TestServer.start(b -> b.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("a"));
             TestServer b = TestServer.start(c -> c.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("b"))) {
            long conv = directConversation(a, "eve", "finn");
            try (WsClient finnChat = b.connectAs("finn", "/ws/chat");
                 WsClient finnBell = a.connectAs("finn", "/ws/notifications");
                 WsClient eve = a.connectAs("eve", "/ws/chat")) {
                finnChat.nextOfType("connected", WAIT);
                finnBell.nextOfType("connected", WAIT);
                eve.nextOfType("connected", WAIT);
                finnChat.send("{\"type\":\"join\",\"conversation_id\":" + conv + "}");
                finnChat.nextOfType("joined", WAIT);
                Thread.sleep(300); // the join's hold reaches Redis asynchronously

                eve.send("{\"type\":\"send_message\",\"conversation_id\":" + conv + ",\"client_id\":\"m1\",\"content\":\"hi\"}");
                eve.nextOfType("ack", WAIT);
                assertThat(finnChat.nextOfType("message", WAIT).get("content").asText()).isEqualTo("hi");
                assertThat(finnBell.poll(Duration.ofSeconds(2))).as("finn is in the chat on node b: no notification").isNull();

                // Typing and read receipts cross nodes too.
                eve.send("{\"type\":\"join\",\"conversation_id\":" + conv + "}");
                eve.nextOfType("joined", WAIT);
                eve.send("{\"type\":\"typing\",\"conversation_id\":" + conv + "}");
                assertThat(finnChat.nextOfType("typing", WAIT).get("user_id").asText()).isEqualTo("eve");
                eve.send("{\"type\":\"stop_typing\",\"conversation_id\":" + conv + "}");
                assertThat(finnChat.nextOfType("stop_typing", WAIT).get("user_id").asText()).isEqualTo("eve");
                finnChat.send("{\"type\":\"read\",\"conversation_id\":" + conv + ",\"seq\":1}");
                JsonNode receipt = eve.nextOfType("read_receipt", WAIT);
                assertThat(receipt.get("user_id").asText()).isEqualTo("finn");
                assertThat(receipt.get("seq").asLong()).isEqualTo(1);

                finnChat.send("{\"type\":\"leave\",\"conversation_id\":" + conv + "}");
                finnChat.nextOfType("left", WAIT);
                Thread.sleep(300);
                eve.send("{\"type\":\"send_message\",\"conversation_id\":" + conv + ",\"client_id\":\"m2\",\"content\":\"still there?\"}");
                JsonNode note = finnBell.nextOfType("new_message", WAIT);
                assertThat(note.get("chat_id").asLong()).isEqualTo(conv);
                assertThat(note.get("sender_id").asText()).isEqualTo("eve");
            }
        }
    }
}
