package dev.herald.server.broker;

import dev.herald.server.testing.TcpProxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.herald.server.broker.BrokerNodes.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis outages as one node sees them: its connections killed on the server (CLIENT KILL of
 * this test's connections only), Redis unreachable at start and then back (a TCP proxy that
 * the test stops and starts; the shared Redis server itself is never stopped).
 */
@Tag("redis")
class RedisBrokerOutageTest {
    /** A fixed delay so the outage lasts long enough to be observed. */
    private static final Delay SLOW_RECONNECT = Delay.constant(Duration.ofMillis(700));

    private BrokerNodes nodes;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger linkLogger = (Logger) LoggerFactory.getLogger(RedisLink.class);

    @BeforeEach
    void connect(TestInfo test) {
        nodes = new BrokerNodes(RedisServer.connectOrSkip(), test.getTestMethod().orElseThrow().getName());
        logs.start();
        linkLogger.addAppender(logs);
    }

    @AfterEach
    void close() {
        linkLogger.detachAppender(logs);
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aKilledPubSubConnectionIsReplacedResubscribedOnceAndFollowedByOneResynchronize() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb, SLOW_RECONNECT);
        for (String s : List.of("s1", "s2", "s3")) {
            b.subscribe(s).get(5, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> b.resynchronizations() == 1); // the first connection's
        int resyncsBefore = lb.resynchronizations.get();

        assertThat(nodes.redis.kill(nodes.connectionName("b", "subscribe"))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> !b.isHealthy());
        await().atMost(Duration.ofSeconds(10)).until(b::isHealthy);
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.resynchronizations.get() == resyncsBefore + 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> lb.resynchronizations.get() == resyncsBefore + 1);

        // One fresh connection, each stream subscribed once, plus the control channel.
        var subscriber = nodes.redis.clients(nodes.connectionName("b", "subscribe"));
        assertThat(subscriber).hasSize(1);
        assertThat(subscriber.getFirst().get("sub")).isEqualTo("4");
        for (String s : List.of("s1", "s2", "s3")) {
            a.publish(event(s, 1, "after-recovery"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.events().size() == 3);
        assertThat(lb.events()).extracting(e -> e.stream()).containsExactlyInAnyOrder("s1", "s2", "s3");
    }

    @Test
    void aTakeoverOfMoreStreamsThanOneBatchSubscribesEveryOne() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb, SLOW_RECONNECT);
        // 1,023 streams and the control channel: exactly two full batches of 512, the edge case.
        List<CompletableFuture<Void>> subscribed = new java.util.ArrayList<>();
        for (int i = 0; i < 1_023; i++) {
            subscribed.add(b.subscribe("many:" + i));
        }
        CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        nodes.redis.kill(nodes.connectionName("b", "subscribe"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> !b.isHealthy());
        await().atMost(Duration.ofSeconds(10)).until(b::isHealthy);

        assertThat(nodes.redis.clients(nodes.connectionName("b", "subscribe")).getFirst().get("sub")).isEqualTo("1024");
        a.publish(event("many:0", 1, "first"));
        a.publish(event("many:1022", 1, "last"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("many:0") == 1 && lb.count("many:1022") == 1);
    }

    @Test
    void subscriptionsChangedDuringAnOutageAreTakenOverByTheNextConnection() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb, SLOW_RECONNECT);
        b.subscribe("kept").get(5, TimeUnit.SECONDS);
        b.subscribe("dropped").get(5, TimeUnit.SECONDS);

        nodes.redis.kill(nodes.connectionName("b", "subscribe"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> !b.isHealthy());
        CompletableFuture<Void> added = b.subscribe("added");
        b.unsubscribe("dropped");
        // While down the SUBSCRIBE cannot be confirmed: the future fails at once, the caller reads the store.
        await().atMost(Duration.ofSeconds(1)).until(added::isDone);
        assertThat(added).isCompletedExceptionally();

        await().atMost(Duration.ofSeconds(10)).until(b::isHealthy);
        assertThat(nodes.redis.numsub(nodes.channel("kept"))).isEqualTo(1);
        assertThat(nodes.redis.numsub(nodes.channel("added"))).isEqualTo(1);
        assertThat(nodes.redis.numsub(nodes.channel("dropped"))).isZero();
        a.publish(event("added", 1, "x"));
        a.publish(event("dropped", 1, "x"));
        a.publish(event("kept", 1, "x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("kept") == 1);
        assertThat(lb.count("added")).isEqualTo(1);
        assertThat(lb.count("dropped")).isZero();
    }

    @Test
    void eventsDroppedWhileThePublishLinkWasDownMakeTheOtherNodesResynchronize() throws Exception {
        RecordingListener la = new RecordingListener();
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", la, SLOW_RECONNECT);
        RedisBroker b = nodes.started("b", lb);
        a.subscribe("user:5").get(5, TimeUnit.SECONDS);
        b.subscribe("user:5").get(5, TimeUnit.SECONDS);
        int aBefore = la.resynchronizations.get();
        int bBefore = lb.resynchronizations.get();

        nodes.redis.kill(nodes.connectionName("a", "publish"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> !a.isHealthy());
        a.publish(event("user:5", 1, "during-outage"));
        assertThat(a.droppedPublishes()).isEqualTo(1);
        assertThat(la.count("user:5")).isEqualTo(1); // local subscribers are served directly

        await().atMost(Duration.ofSeconds(10)).until(a::isHealthy);
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.resynchronizations.get() == bBefore + 1);
        assertThat(lb.count("user:5")).isZero(); // B learns of it from the store, not from Redis
        assertThat(la.resynchronizations.get()).isEqualTo(aBefore);
        a.publish(event("user:5", 2, "after"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("user:5") == 1);
    }

    @Test
    void withRedisUnreachableAtStartTheNodeStartsAtOnceStaysUnhealthyAndCatchesUpWhenRedisComes() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (TcpProxy proxy = new TcpProxy(RedisServer.PORT)) {
            proxy.cut(); // Redis is "down" when the node starts
            RedisBroker broker = nodes.node("lonely", proxy.port(),
                    new FullJitterBackoff(Duration.ofMillis(50), Duration.ofMillis(400), new java.util.Random(7)::nextLong));

            long t0 = System.nanoTime();
            broker.start(listener);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(broker.isHealthy()).isFalse();

            CompletableFuture<Void> subscribed = broker.subscribe("user:1");
            await().atMost(Duration.ofSeconds(1)).until(subscribed::isDone);
            assertThat(subscribed).isCompletedExceptionally();
            t0 = System.nanoTime();
            for (int i = 1; i <= 1_000; i++) {
                broker.publish(event("user:1", i, "while-down"));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(broker.droppedPublishes()).isEqualTo(1_000);
            assertThat(listener.count("user:1")).isEqualTo(1_000); // this node's own subscribers still get them

            await().atMost(Duration.ofSeconds(5)).until(() -> lines(Level.INFO).size() >= 4);
            assertThat(broker.isHealthy()).isFalse();
            assertThat(listener.resynchronizations.get()).isZero();

            proxy.restore();
            await().atMost(Duration.ofSeconds(10)).until(broker::isHealthy);
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.resynchronizations.get() == 1);
            assertThat(nodes.redis.numsub(nodes.channel("user:1"))).isEqualTo(1);

            // The operator's view: one clear line per link, then one line per backoff step, then recovery.
            List<String> warnings = lines(Level.WARN);
            assertThat(warnings).hasSize(2).allMatch(l -> l.startsWith("cannot connect to Redis at 127.0.0.1:" + proxy.port()));
            assertThat(warnings).anyMatch(l -> l.contains("Connection refused"));
            assertThat(lines(Level.INFO)).filteredOn(l -> l.startsWith("connected to Redis")).hasSize(2);
            assertThat(lines(Level.INFO)).filteredOn(l -> l.startsWith("still cannot connect")).isNotEmpty();

            long t1 = System.nanoTime();
            broker.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aRedisOutageSeenThroughAProxyEndsWithEveryStreamBackAndOneResynchronize() throws Exception {
        RecordingListener lb = new RecordingListener();
        try (TcpProxy proxy = new TcpProxy(RedisServer.PORT)) {
            RedisBroker a = nodes.started("a", new RecordingListener());
            RedisBroker b = nodes.node("b", proxy.port(), BrokerNodes.fastBackoff());
            b.start(lb);
            await().atMost(Duration.ofSeconds(10)).until(b::isHealthy);
            b.subscribe("user:1").get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(2)).until(() -> lb.resynchronizations.get() == 1);

            proxy.cut();
            await().atMost(Duration.ofSeconds(5)).until(() -> !b.isHealthy());
            a.publish(event("user:1", 1, "missed")); // lost for B: it must catch up from the store
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(Level.INFO).stream().anyMatch(l -> l.startsWith("still cannot")));
            proxy.restore();

            await().atMost(Duration.ofSeconds(10)).until(b::isHealthy);
            await().atMost(Duration.ofSeconds(5)).until(() -> lb.resynchronizations.get() == 2);
            a.publish(event("user:1", 2, "live-again"));
            await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("user:1") == 1);
            assertThat(lb.events().getFirst().seq()).isEqualTo(2);
        }
    }

    @Test
    void closeWhileReconnectingReturnsPromptlyAndStopsRetrying() throws Exception {
        RedisBroker broker = nodes.node("closing", RedisServer.closedPort(), BrokerNodes.fastBackoff());
        broker.start(new RecordingListener());
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(Level.INFO).size() >= 2);
        long t0 = System.nanoTime();
        broker.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        int after = lines(Level.INFO).size() + lines(Level.WARN).size();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> lines(Level.INFO).size() + lines(Level.WARN).size() == after);
        assertThat(broker.isHealthy()).isFalse();
        broker.publish(event("user:1", 1, "late-commit")); // a commit finishing during shutdown must not fail
        broker.close(); // idempotent
    }

    private List<String> lines(Level level) {
        synchronized (logs) {
            return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
