package dev.herald.server.transport.ws;

import dev.herald.server.delivery.Session;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.ChannelSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbound cap, end to end, with a client that completes the upgrade and then never reads
 * (4 KiB receive buffer) while ~64 MB are published to it: it is closed with 4008 within a
 * bounded time, and what the server queues for it never exceeds the cap by more than one
 * event. Both for a client following live events and for one resuming a backlog with
 * {@code since} (whose replay waits for writability, and used to wait forever).
 */
class SlowConsumerEndToEndTest {
    private static final int CAP = 4 * 1024 * 1024; // the default --outbound-cap-bytes
    private static final int ITEM_BYTES = 60_000;
    private static final int ITEMS_PER_BATCH = 15; // under the 1 MiB request body limit
    private static final int PUBLISHES = 1_005;
    /** One event over the cap: the notification frame and its unread_count frame. */
    private static final int ONE_EVENT = ITEM_BYTES + 1_024;

    // A node per test: each test counts the node's slow consumers from zero. The default
    // keepalive (the test server's is shorter): only the outbound cap may close a client here.
    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.pingInterval(Duration.ofSeconds(25))
            .idleTimeout(Duration.ofSeconds(60)));

    @Test
    void aClientThatNeverReadsWhile64MbArePublishedToItIsClosedWith4008AndItsQueueStaysAtTheCap() throws Exception {
        assertClosedAsSlowConsumer(node.server(), "slow-live", "", 0);
    }

    @Test
    void aResumingClientThatNeverReadsWhile64MbArePublishedToItIsClosedWith4008AndItsQueueStaysAtTheCap() throws Exception {
        // 12 MB of backlog: the replay fills the queue to the cap and waits for a drain that never comes.
        assertClosedAsSlowConsumer(node.server(), "slow-resume", "&since=0", 200);
    }

    private static void assertClosedAsSlowConsumer(TestServer server, String user, String query, int backlog)
            throws Exception {
        String pad = "x".repeat(ITEM_BYTES);
        for (int i = 0; i < backlog; i++) {
            server.api.notifyUser(user, "{\"type\":\"big\",\"pad\":\"" + pad + "\"}");
        }
        try (RawWebSocket stuck = RawWebSocket.connect(server.port(),
                "/ws/notifications?access_token=" + server.tokens.forUser(user) + query, 4096)) {
            AtomicLong maxQueued = new AtomicLong();
            AtomicBoolean publishing = new AtomicBoolean(true);
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                for (Session s : server.server().sessions().ofUser(user)) {
                    maxQueued.accumulateAndGet(((ChannelSession) s).queuedBytes(), Math::max);
                }
            }, 0, 2, TimeUnit.MILLISECONDS);
            Thread publisher = Thread.ofVirtual().start(() -> publish(server, user, pad, publishing));
            long start = System.nanoTime();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> slowConsumers(server) >= 1);
                long closedAfterMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

                // The client reads again: what the kernel and the queue hold, then the close frame.
                assertThat(stuck.readClose(Duration.ofSeconds(3)).closeCode()).isEqualTo(4008);
                assertThat(closedAfterMs).isLessThan(30_000);
                assertThat(maxQueued.get()).isGreaterThan(CAP / 2).isLessThanOrEqualTo(CAP + ONE_EVENT);
            } finally {
                publishing.set(false);
                publisher.join(Duration.ofSeconds(30));
                sampler.shutdownNow();
            }
        }
    }

    private static void publish(TestServer server, String user, String pad, AtomicBoolean publishing) {
        StringBuilder batch = new StringBuilder("{\"publishes\":[");
        for (int i = 0; i < ITEMS_PER_BATCH; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"to\":{\"user\":\"").append(user)
                    .append("\"},\"notification\":{\"type\":\"big\",\"pad\":\"").append(pad).append("\"}}");
        }
        String body = batch.append("]}").toString();
        for (int published = 0; published < PUBLISHES && publishing.get(); published += ITEMS_PER_BATCH) {
            Api.Reply r = server.api.send("POST", "/api/v1/notifications/batch", body,
                    Map.of("Authorization", "Bearer " + TestServer.API_KEY));
            if (r.status() != 201) {
                throw new AssertionError("batch publish answered " + r.status() + ": " + r.body());
            }
        }
    }

    private static double slowConsumers(TestServer server) {
        for (String line : server.api.get("/metrics").body().split("\n")) {
            if (line.startsWith("herald_slow_consumers_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
