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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-loss guarantee with real processes: {@code kill -9} one of three nodes while its
 * clients are connected and publishers keep publishing through the others; the clients
 * reconnect to the survivors with their last seq and end with every acknowledged event
 * exactly once, in order.
 */
@Tag("postgres")
@Tag("redis")
class NodeLossTest {
    private static final int USERS = 4;
    private static final int PUBLISHES_PER_PUBLISHER = 150;

    @Test
    void clientsOfAKilledNodeResumeOnTheOthersWithNothingLostOrRepeated() throws Exception {
        String broker = RedisSupport.brokerUrl(RedisSupport.PORT);
        List<Path> dirs = new ArrayList<>();
        List<HeraldProcess> nodes = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        try (PostgresSupport pg = PostgresSupport.freshSchema("nodeloss")) {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path dir = Files.createTempDirectory("herald-node-");
                dirs.add(dir);
                HeraldProcess node = HeraldProcess.run("start", "--host", "127.0.0.1", "--port", "0",
                        "--data-dir", dir.toString(), "--store", pg.storeUrl(), "--broker", broker,
                        "--node-id", "node-" + i, "--jwt-secret", TestServer.SECRET, "--api-key", TestServer.API_KEY);
                nodes.add(node);
            }
            for (HeraldProcess node : nodes) {
                ports.add(node.awaitListening());
            }
            TestTokens tokens = new TestTokens(TestServer.SECRET);
            int victim = ports.get(0);

            for (int u = 0; u < USERS; u++) {
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + victim + "/ws/notifications?access_token="
                        + tokens.forUser("nl" + u), null);
                ws.nextOfType("connected", Duration.ofSeconds(10));
                clients.add(ws);
            }

            AtomicInteger acknowledged = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 1; p <= 2; p++) {
                Api api = new Api("http://127.0.0.1:" + ports.get(p), TestServer.API_KEY);
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < PUBLISHES_PER_PUBLISHER; i++) {
                        Api.Reply r = api.publish("{\"to\":{\"users\":[\"nl0\",\"nl1\",\"nl2\",\"nl3\"]},"
                                + "\"notification\":{\"type\":\"tick\",\"i\":" + i + "}}");
                        if (r.status() == 201) {
                            acknowledged.incrementAndGet();
                        } else {
                            failures.add(r.status() + " " + r.body());
                        }
                    }
                }));
            }

            List<List<Long>> seen = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                seen.add(new ArrayList<>());
            }
            // Read a while from the victim, then kill it mid-stream.
            for (int u = 0; u < USERS; u++) {
                collect(clients.get(u), seen.get(u), 20, Duration.ofSeconds(30));
            }
            nodes.get(0).kill();

            for (int u = 0; u < USERS; u++) {
                WsClient old = clients.get(u);
                old.awaitClose(Duration.ofSeconds(15));
                collectUntilClosed(old, seen.get(u));
                int survivor = ports.get(1 + u % 2);
                long last = seen.get(u).isEmpty() ? 0 : seen.get(u).getLast();
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + survivor + "/ws/notifications?since=" + last
                        + "&access_token=" + tokens.forUser("nl" + u), null);
                ws.nextOfType("connected", Duration.ofSeconds(10));
                clients.set(u, ws);
            }
            for (Thread t : publishers) {
                t.join(Duration.ofSeconds(120));
            }
            assertThat(failures).isEmpty();
            int total = acknowledged.get();
            assertThat(total).isEqualTo(2 * PUBLISHES_PER_PUBLISHER);

            List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
            for (int u = 0; u < USERS; u++) {
                collect(clients.get(u), seen.get(u), total - seen.get(u).size(), Duration.ofSeconds(60));
                assertThat(seen.get(u)).as("user nl%d", u).isEqualTo(expected);
            }
        } finally {
            clients.forEach(WsClient::close);
            nodes.forEach(HeraldProcess::close);
            dirs.forEach(TempDirs::delete);
        }
    }

    private static void collect(WsClient ws, List<Long> into, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int got = 0;
        while (got < count) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            JsonNode f = ws.next(left);
            if (f.get("type").asText().equals("tick")) {
                into.add(f.get("seq").asLong());
                got++;
            }
        }
    }

    /** Takes what the dead connection had already received. */
    private static void collectUntilClosed(WsClient ws, List<Long> into) {
        for (JsonNode f : ws.drain()) {
            if (f.get("type").asText().equals("tick")) {
                into.add(f.get("seq").asLong());
            }
        }
    }
}
