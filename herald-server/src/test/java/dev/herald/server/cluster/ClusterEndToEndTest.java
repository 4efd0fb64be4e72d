package dev.herald.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.RedisSupport;
import dev.herald.server.testing.TcpProxy;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several nodes on one PostgreSQL and one Redis, in this JVM: publishes through any node reach
 * the recipients' connections on every node, once each, in seq order; a node whose Redis link
 * breaks says so and catches its clients up from the store when it comes back.
 */
@Tag("postgres")
@Tag("redis")
class ClusterEndToEndTest {

    private static List<TestServer> startNodes(String storeUrl, List<String> brokerUrls) {
        List<TestServer> nodes = new ArrayList<>();
        for (int i = 0; i < brokerUrls.size(); i++) {
            String broker = brokerUrls.get(i);
            String id = "node-" + (char) ('a' + i);
            nodes.add(TestServer.start(b -> b.storeUrl(storeUrl).brokerUrl(broker).nodeId(id)));
        }
        for (TestServer node : nodes) {
            await().atMost(Duration.ofSeconds(15)).until(() -> node.api.get("/readyz").status() == 200);
        }
        return nodes;
    }

    @Test
    void publishersOnThreeNodesGiveEveryUserAGapFreeStreamOnEveryNode() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("cluster")) {
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(broker, broker, broker));
            List<WsClient> clients = new ArrayList<>();
            try {
                int users = 6;
                for (int u = 0; u < users; u++) {
                    WsClient ws = nodes.get(u % 3).connectAs("cu" + u, "/ws/notifications");
                    ws.nextOfType("connected", Duration.ofSeconds(10));
                    clients.add(ws);
                }
                // A second connection of user 0 on another node: every node delivers, once each.
                WsClient twin = nodes.get(1).connectAs("cu0", "/ws/notifications");
                twin.nextOfType("connected", Duration.ofSeconds(10));
                clients.add(twin);

                int perPublisher = 60;
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                List<Thread> publishers = new ArrayList<>();
                for (int p = 0; p < 3; p++) {
                    Api api = nodes.get(p).api;
                    int publisher = p;
                    publishers.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < perPublisher; i++) {
                            String body = "{\"to\":{\"users\":[\"cu0\",\"cu1\",\"cu2\",\"cu3\",\"cu4\",\"cu5\"]},"
                                    + "\"notification\":{\"type\":\"tick\",\"from\":" + publisher + ",\"i\":" + i + "}}";
                            Api.Reply r = api.publish(body);
                            if (r.status() != 201) {
                                failures.add(r.status() + " " + r.body());
                            }
                        }
                    }));
                }
                for (Thread t : publishers) {
                    t.join(Duration.ofSeconds(60));
                }
                assertThat(failures).isEmpty();

                long expected = 3L * perPublisher;
                List<Long> all = LongStream.rangeClosed(1, expected).boxed().toList();
                for (WsClient ws : clients) {
                    List<Long> seqs = new ArrayList<>();
                    while (seqs.size() < expected) {
                        JsonNode f = ws.nextOfType("tick", Duration.ofSeconds(20));
                        seqs.add(f.get("seq").asLong());
                    }
                    assertThat(seqs).isEqualTo(all);
                    JsonNode extra = ws.poll(Duration.ofMillis(200));
                    assertThat(extra == null || extra.get("type").asText().equals("unread_count"))
                            .as("nothing but unread counts after the last tick: %s", extra).isTrue();
                }
            } finally {
                clients.forEach(WsClient::close);
                nodes.forEach(TestServer::close);
            }
        }
    }

    @Test
    void anInboxChangeOnOneNodeReachesTheUsersSocketOnTheOtherWithTheCountsAndTheStoreAgrees() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("inbox")) {
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(broker, broker));
            try (WsClient onB = nodes.get(1).connectAs("inbox-user", "/ws/notifications")) {
                assertThat(onB.nextOfType("connected", Duration.ofSeconds(10)).get("unseen_count").asInt()).isZero();
                TestServer a = nodes.get(0);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ids.add(a.api.publish("{\"to\":{\"user\":\"inbox-user\"},\"category\":\"orders\",\"notification\":{\"type\":\"t\"}}")
                            .json().get("ids").get(0).asText());
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    JsonNode f = onB.nextOfType("unread_count", Duration.ofSeconds(10));
                    return f.get("unseen_count").asInt() == 3;
                });
                String token = a.tokens.forUser("inbox-user");
                Api.Reply seen = a.api.asUser("POST", "/api/v1/me/notifications/bulk", token,
                        "{\"action\":\"seen\",\"filter\":{\"category\":\"orders\"}}");
                assertThat(seen.json().get("changed").asInt()).isEqualTo(3);
                JsonNode inbox = onB.nextOfType("inbox", Duration.ofSeconds(10));
                assertThat(inbox.get("action").asText()).isEqualTo("seen");
                assertThat(inbox.get("ids")).extracting(JsonNode::asText).containsExactlyElementsOf(ids);
                assertThat(onB.nextOfType("unread_count", Duration.ofSeconds(10)).get("unseen_count").asInt()).isZero();

                assertThat(a.api.asUser("POST", "/api/v1/me/notifications/" + ids.get(1) + "/archive", token, null).status())
                        .isEqualTo(200);
                JsonNode archived = onB.nextOfType("inbox", Duration.ofSeconds(10));
                assertThat(archived.get("action").asText()).isEqualTo("archive");
                assertThat(archived.get("unread_count").asInt()).isEqualTo(2);
                JsonNode counts = nodes.get(1).api.asUser("GET", "/api/v1/me/notifications/counts?archived=any",
                        nodes.get(1).tokens.forUser("inbox-user"), null).json();
                assertThat(counts.toString()).isEqualTo("{\"total\":3,\"unread\":3,\"unseen\":0}");
            } finally {
                nodes.forEach(TestServer::close);
            }
        }
    }

    @Test
    void preferencesDigestsAndCategoriesSetOnOneNodeHoldForPublishesOnTheOther() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("prefs")) {
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(broker, broker));
            TestServer a = nodes.get(0);
            TestServer b = nodes.get(1);
            java.util.Map<String, String> key = java.util.Map.of("Authorization", "Bearer " + TestServer.API_KEY);
            try (WsClient onA = a.connectAs("pref-user", "/ws/notifications")) {
                onA.nextOfType("connected", Duration.ofSeconds(10));
                // The user mutes a type through node A; node B's very next publish honours it.
                assertThat(a.api.asUser("PUT", "/api/v1/me/preferences", a.tokens.forUser("pref-user"),
                        "{\"types\":{\"promo\":{\"in_app\":false}}}").status()).isEqualTo(200);
                assertThat(b.api.publish("{\"to\":{\"user\":\"pref-user\"},\"notification\":{\"type\":\"promo\"}}")
                        .json().get("muted").get(0).asText()).isEqualTo("pref-user");

                // A critical category set on node A holds on node B within the documented 5 s.
                assertThat(a.api.asUser("PUT", "/api/v1/me/preferences", a.tokens.forUser("pref-user"),
                        "{\"enabled\":false}").status()).isEqualTo(200);
                assertThat(a.api.send("PUT", "/api/v1/categories/alerts", "{\"critical\":true}", key).status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> b.api.publish("{\"to\":{\"user\":\"pref-user\"},"
                        + "\"category\":\"alerts\",\"notification\":{\"type\":\"alert\"}}").json().get("muted").isEmpty());
                onA.nextOfType("alert", Duration.ofSeconds(10));
                a.api.asUser("PUT", "/api/v1/me/preferences", a.tokens.forUser("pref-user"), "{}");

                // A digest fed through both nodes is one item, replaced on the user's socket each time.
                String previous = null;
                for (int i = 1; i <= 4; i++) {
                    TestServer via = nodes.get(i % 2);
                    assertThat(via.api.publish("{\"to\":{\"user\":\"pref-user\"},\"group_key\":\"g\","
                            + "\"notification\":{\"type\":\"digest\",\"i\":" + i + "}}").status()).isEqualTo(201);
                    JsonNode frame = onA.nextOfType("digest", Duration.ofSeconds(10));
                    assertThat(frame.get("group_count").asInt()).isEqualTo(i);
                    if (previous != null) {
                        assertThat(frame.get("group_replaces").asText()).isEqualTo(previous);
                    }
                    previous = frame.get("id").asText();
                }
                JsonNode counts = b.api.asUser("GET", "/api/v1/me/notifications/counts?type=digest",
                        b.tokens.forUser("pref-user"), null).json();
                assertThat(counts.get("total").asInt()).isEqualTo(1);
            } finally {
                nodes.forEach(TestServer::close);
            }
        }
    }

    @Test
    void scheduledPublishesAreReleasedOnceThoughEveryNodeReleases() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("sched")) {
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(broker, broker, broker));
            try {
                String due = java.time.Instant.now().plusMillis(1500).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
                for (int i = 0; i < 30; i++) {
                    Api.Reply r = nodes.get(i % 3).api.send("POST", "/api/v1/notifications",
                            "{\"to\":{\"user\":\"sched-user\"},\"deliver_at\":\"" + due + "\",\"notification\":{\"type\":\"t\",\"i\":" + i + "}}",
                            java.util.Map.of("Authorization", "Bearer " + TestServer.API_KEY, "Idempotency-Key", "s-" + i));
                    assertThat(r.status()).as(r.body()).isEqualTo(202);
                }
                String token = nodes.get(1).tokens.forUser("sched-user");
                await().atMost(Duration.ofSeconds(15)).until(() -> nodes.get(1).api.asUser("GET",
                        "/api/v1/me/notifications/counts", token, null).json().get("total").asInt() >= 30);
                await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
                JsonNode page = nodes.get(2).api.asUser("GET", "/api/v1/me/notifications?limit=100", token, null).json();
                assertThat(page.get("notifications")).hasSize(30);
                assertThat(page.get("notifications").findValuesAsText("i")).doesNotHaveDuplicates();
                assertThat(page.get("notifications").get(0).get("seq").asLong()).isEqualTo(30);
            } finally {
                nodes.forEach(TestServer::close);
            }
        }
    }

    @Test
    void topicsAndBroadcastsPublishedOnOneNodeReachTheirFollowersOnEveryNode() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        try (PostgresSupport pg = PostgresSupport.freshSchema("topic")) {
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(broker, broker, broker));
            List<WsClient> staff = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    TestServer node = nodes.get(i);
                    String token = node.tokens.token("staff" + i, List.of("branch:9"), Duration.ofHours(1));
                    WsClient ws = WsClient.connect(node.wsUrl("/ws/notifications?type=branch&id=9&access_token=" + token), null);
                    ws.nextOfType("connected", Duration.ofSeconds(10));
                    staff.add(ws);
                }
                assertThat(nodes.get(2).api.publish("{\"to\":{\"topic\":\"branch:9\"},\"notification\":{\"type\":\"order_created\",\"order_id\":77}}").status())
                        .isEqualTo(201);
                for (WsClient ws : staff) {
                    JsonNode f = ws.nextOfType("order_created", Duration.ofSeconds(10));
                    assertThat(f.get("order_id").asInt()).isEqualTo(77);
                    assertThat(f.get("seq").asLong()).isEqualTo(1);
                    assertThat(ws.poll(Duration.ofMillis(300))).isNull();
                }
                // A broadcast published on one node reaches every known user on every node.
                List<WsClient> personal = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    WsClient ws = nodes.get(i).connectAs("staff" + i, "/ws/notifications");
                    ws.nextOfType("connected", Duration.ofSeconds(10));
                    personal.add(ws);
                }
                staff.addAll(personal);
                assertThat(nodes.get(0).api.publish("{\"to\":{\"all\":true},\"notification\":{\"type\":\"maintenance\"}}").json()
                        .get("count").asInt()).isGreaterThanOrEqualTo(3);
                for (WsClient ws : personal) {
                    assertThat(ws.nextOfType("maintenance", Duration.ofSeconds(10)).get("seq").asLong()).isEqualTo(1);
                }
            } finally {
                staff.forEach(WsClient::close);
                nodes.forEach(TestServer::close);
            }
        }
    }

    @Test
    void aNodeThatLosesRedisIsNotReadyAndCatchesItsClientsUpWhenTheLinkReturns() throws Exception {
        RedisSupport.requireOrSkip();
        try (PostgresSupport pg = PostgresSupport.freshSchema("outage");
             TcpProxy redisForA = new TcpProxy(RedisSupport.PORT)) {
            String prefix = "t" + Long.toHexString(System.nanoTime());
            String direct = "redis://127.0.0.1:" + RedisSupport.PORT + "?prefix=" + prefix;
            String viaProxy = "redis://127.0.0.1:" + redisForA.port() + "?prefix=" + prefix;
            List<TestServer> nodes = startNodes(pg.storeUrl(), List.of(viaProxy, direct));
            TestServer a = nodes.get(0);
            TestServer b = nodes.get(1);
            try (WsClient ws = a.connectAs("lonely", "/ws/notifications")) {
                ws.nextOfType("connected", Duration.ofSeconds(10));
                b.api.notifyUser("lonely", "{\"type\":\"before\"}");
                assertThat(ws.nextOfType("before", Duration.ofSeconds(10)).get("seq").asLong()).isEqualTo(1);

                redisForA.cut();
                await().atMost(Duration.ofSeconds(20)).until(() -> a.api.get("/readyz").status() == 503);
                assertThat(a.api.get("/readyz").json().get("broker").asText()).isEqualTo("disconnected");
                for (int i = 0; i < 5; i++) {
                    b.api.notifyUser("lonely", "{\"type\":\"during\",\"i\":" + i + "}");
                }

                redisForA.restore();
                await().atMost(Duration.ofSeconds(30)).until(() -> a.api.get("/readyz").status() == 200);
                b.api.notifyUser("lonely", "{\"type\":\"after\"}");
                List<Long> seqs = new ArrayList<>();
                while (seqs.size() < 6) {
                    JsonNode f = ws.next(Duration.ofSeconds(20));
                    if (!f.get("type").asText().equals("unread_count")) {
                        seqs.add(f.get("seq").asLong());
                    }
                }
                assertThat(seqs).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
                String metrics = a.api.get("/metrics").body();
                assertThat(metrics).contains("herald_broker_up");
            } finally {
                nodes.forEach(TestServer::close);
            }
        }
    }
}
