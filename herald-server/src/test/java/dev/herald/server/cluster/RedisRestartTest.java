package dev.herald.server.cluster;

import dev.herald.server.testing.Inboxes;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.PrivateRedis;
import dev.herald.server.testing.PublishLoad;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis itself crashes (SIGKILL) and restarts empty under a two-node cluster while node A
 * publishes: the client on node B ends with every event in seq order, none missing or repeated,
 * without reconnecting; both nodes say they are not ready while Redis is gone and become ready
 * again by themselves, and presence held in Redis is restored.
 */
@Tag("postgres")
@Tag("redis")
class RedisRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRedisRestartUnderTwoNodesLeavesTheClientOnBWithEverySeqOfAInOrderAndBothNodesHeal() throws Exception {
        try (PostgresSupport pg = PostgresSupport.freshSchema("redisrestart");
             PrivateRedis redis = PrivateRedis.start()) {
            String broker = "redis://127.0.0.1:" + redis.port();
            try (TestServer a = TestServer.start(c -> c.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("a"));
                 TestServer b = TestServer.start(c -> c.storeUrl(pg.storeUrl()).brokerUrl(broker).nodeId("b"));
                 WsClient onB = b.connectAs("r0", "/ws/notifications")) {
                await().atMost(WAIT).until(() -> a.api.get("/readyz").status() == 200 && b.api.get("/readyz").status() == 200);
                onB.nextOfType("connected", WAIT);
                await().atMost(WAIT).until(() -> presence(a, "r0").contains("\"online\":true"));

                List<Long> seen = new ArrayList<>();
                PublishLoad load = PublishLoad.start(a.api, List.of("r0"), 2, 50_000);
                try {
                    collect(onB, seen, 50);

                    redis.kill();
                    await().atMost(WAIT).until(() -> b.api.get("/readyz").status() == 503);
                    assertThat(b.api.get("/readyz").json().get("broker").asText()).isEqualTo("disconnected");
                    await().atMost(WAIT).until(() -> a.api.get("/readyz").status() == 503);
                    int atKill = load.acknowledged();
                    await().atMost(WAIT).until(() -> load.acknowledged() >= atKill + 50); // the store still takes publishes

                    redis.startServer();
                    await().atMost(WAIT).until(() -> a.api.get("/readyz").status() == 200 && b.api.get("/readyz").status() == 200);
                    int atRestart = load.acknowledged();
                    await().atMost(WAIT).until(() -> load.acknowledged() >= atRestart + 100);
                } finally {
                    load.stop();
                }
                assertThat(load.refusedByStatus).as("refused publishes").isEmpty();
                assertThat(load.unanswered.get()).isZero();
                long n = Inboxes.assertNothingAcknowledgedLost(a.api, List.of("r0"), load.acks).get("r0");
                collect(onB, seen, (int) (n - seen.size()));
                assertThat(seen).as("seqs on node B").isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
                for (var f = onB.poll(Duration.ofMillis(300)); f != null; f = onB.poll(Duration.ofMillis(300))) {
                    assertThat(f.get("type").asText()).as("after the last seq: %s", f).isEqualTo("unread_count");
                }
                assertThat(onB.isClosed()).isFalse();
                // Redis came back empty: node B wrote its presence holds again.
                await().atMost(WAIT).until(() -> presence(a, "r0").contains("\"online\":true"));
            }
        }
    }

    private static String presence(TestServer node, String user) {
        return node.api.send("GET", "/api/v1/presence?users=" + user, null,
                Map.of("Authorization", "Bearer " + TestServer.API_KEY)).body();
    }

    private static void collect(WsClient ws, List<Long> into, int count) {
        for (int i = 0; i < count; i++) {
            into.add(ws.nextOfType("load", WAIT).get("seq").asLong());
        }
    }
}
