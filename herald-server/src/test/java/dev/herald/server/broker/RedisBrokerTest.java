package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.herald.server.broker.BrokerNodes.event;
import static dev.herald.server.broker.BrokerNodes.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two or three brokers ("nodes") on the shared Redis: fan-out, order, subscription semantics, efficiency. */
@Tag("redis")
class RedisBrokerTest {
    private static final byte[] NOTIFICATION_JSON = ("{\"type\":\"notification\",\"notification\":{\"id\":"
            + "\"01JD0000000000000000000000\",\"title\":\"Build 7 passed\",\"body\":\"All 1,204 tests green\","
            + "\"data\":{\"branch\":\"main\"}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private BrokerNodes nodes;

    @BeforeEach
    void connect(TestInfo test) {
        nodes = new BrokerNodes(RedisServer.connectOrSkip(), test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void close() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void anEventReachesEverySubscribedNodeExactlyOnceIncludingThePublisher() throws Exception {
        RecordingListener la = new RecordingListener();
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", la);
        RedisBroker b = nodes.started("b", lb);
        a.subscribe("user:1").get(5, TimeUnit.SECONDS);
        b.subscribe("user:1").get(5, TimeUnit.SECONDS);

        for (int i = 1; i <= 3; i++) {
            a.publish(event("user:1", i, "a" + i));
        }
        a.publish(event("user:2", 1, "nobody-subscribed"));
        b.publish(event("user:1", 4, "b4"));
        // Markers: once each node has the other's marker, anything sent before it has arrived too.
        a.publish(event("user:1", 5, "a-marker"));
        b.publish(event("user:1", 6, "b-marker"));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                la.payloads("user:1").contains(payload("b-marker")) && lb.payloads("user:1").contains(payload("a-marker")));

        List<String> expected = List.of(payload("a1"), payload("a2"), payload("a3"), payload("b4"),
                payload("a-marker"), payload("b-marker"));
        assertThat(la.payloads("user:1")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(lb.payloads("user:1")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(lb.payloads("user:1")).containsSubsequence(payload("a1"), payload("a2"), payload("a3"), payload("a-marker"));
        assertThat(la.count("user:2")).isZero();
        assertThat(lb.count("user:2")).isZero();
        StreamEvent received = lb.events().stream().filter(e -> e.seq() == 2).findFirst().orElseThrow();
        assertThat(received.type()).isEqualTo("notification");
        assertThat(received.createdAtMillis()).isEqualTo(1_700_000_000_002L);
        assertThat(received.unread()).isEqualTo(2);

        // An ephemeral event that skips one user keeps that instruction on the other node.
        a.publish(StreamEvent.ephemeralExcept("user:1", "typing", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "u-7"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.events().stream().anyMatch(e -> e.type().equals("typing")));
        assertThat(lb.events().stream().filter(e -> e.type().equals("typing")).findFirst().orElseThrow().excludeUserId())
                .isEqualTo("u-7");
    }

    @Test
    void afterUnsubscribeANodeReceivesNothingMoreForThatStream() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        b.subscribe("topic:x").get(5, TimeUnit.SECONDS);
        b.subscribe("topic:marker").get(5, TimeUnit.SECONDS);
        a.publish(event("topic:x", 1, "before"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("topic:x") == 1);

        b.unsubscribe("topic:x");
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.redis.numsub(nodes.channel("topic:x")) == 0);
        a.publish(event("topic:x", 2, "after"));
        a.publish(event("topic:marker", 1, "marker"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("topic:marker") == 1);

        assertThat(lb.payloads("topic:x")).containsExactly(payload("before"));
    }

    @Test
    void tenThousandEventsFromOnePublisherArriveInPublishOrder() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        b.subscribe("bulk").get(5, TimeUnit.SECONDS);

        int n = 10_000;
        long start = System.nanoTime();
        for (int i = 1; i <= n; i++) {
            a.publish(event("bulk", i, "e"));
        }
        long published = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> lb.count("bulk") >= n);
        long received = System.nanoTime();

        List<Long> seqs = lb.events().stream().map(StreamEvent::seq).toList();
        assertThat(seqs).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(seqs.get(i)).isEqualTo(i + 1L);
        }
        assertThat(a.droppedPublishes()).isZero();
        System.out.printf("RedisBroker order test: %d events, publish calls %.1f ms, all received after %.1f ms (%.0f events/s)%n",
                n, (published - start) / 1e6, (received - start) / 1e6, n / ((received - start) / 1e9));
    }

    @Test
    void sustainedThroughputFromOnePublisherToOneSubscriberIsMeasuredWithoutLossOrReordering() throws Exception {
        AtomicLong lastSeq = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        AtomicLong count = new AtomicLong();
        Broker.Listener counting = new Broker.Listener() {
            @Override
            public void onEvent(StreamEvent event) {
                if (event.seq() <= lastSeq.getAndSet(event.seq())) {
                    outOfOrder.incrementAndGet();
                }
                count.incrementAndGet();
            }
        };
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", counting);
        b.subscribe("user:42").get(5, TimeUnit.SECONDS);
        byte[] json = NOTIFICATION_JSON;

        // Bursts far under the publish queue bound (16,384 in flight), so the number is the sustained
        // rate, not the drop rate, even on a loaded CI machine (5,000 per burst once dropped 31 there).
        int burst = 1_000;
        int bursts = 40;
        long start = System.nanoTime();
        for (int k = 0; k < bursts; k++) {
            for (int i = 1; i <= burst; i++) {
                long seq = (long) k * burst + i;
                a.publish(new StreamEvent("user:42", seq, "notification", System.currentTimeMillis(), seq, json));
            }
            long expected = (long) (k + 1) * burst;
            await().atMost(Duration.ofSeconds(30)).until(() -> count.get() >= expected);
        }
        long elapsed = System.nanoTime() - start;

        assertThat(count.get()).isEqualTo((long) burst * bursts);
        assertThat(outOfOrder.get()).isZero();
        assertThat(a.droppedPublishes()).isZero();
        System.out.printf("RedisBroker sustained throughput: %d events of %d bytes JSON in %.0f ms = %.0f events/s%n",
                count.get(), json.length, elapsed / 1e6, count.get() / (elapsed / 1e9));
    }

    @Test
    void aBurstBeyondThePublishQueueIsDroppedAndCountedNotBuffered() throws Exception {
        AtomicLong lastSeq = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        AtomicLong count = new AtomicLong();
        RecordingListener la = new RecordingListener();
        RedisBroker a = nodes.started("a", la);
        RedisBroker b = nodes.started("b", new Broker.Listener() {
            @Override
            public void onEvent(StreamEvent event) {
                if (event.seq() <= lastSeq.getAndSet(event.seq())) {
                    outOfOrder.incrementAndGet();
                }
                count.incrementAndGet();
            }
        });
        b.subscribe("user:43").get(5, TimeUnit.SECONDS);
        int resyncsBefore = la.resynchronizations.get();

        int n = 100_000;
        for (int i = 1; i <= n; i++) {
            a.publish(new StreamEvent("user:43", i, "notification", 0, -1, NOTIFICATION_JSON));
        }
        // Every event was either sent or counted as dropped (a timed-out PUBLISH may be both).
        await().atMost(Duration.ofSeconds(60)).until(() -> count.get() + a.droppedPublishes() >= n);
        assertThat(a.droppedPublishes()).isPositive();
        assertThat(count.get()).isLessThanOrEqualTo(n);
        assertThat(outOfOrder.get()).isZero();
        assertThat(a.isHealthy()).isTrue();
        System.out.printf("RedisBroker burst of %d: sent %d, dropped %d at the %d-command publish queue bound%n",
                n, count.get(), a.droppedPublishes(), RedisBroker.PUBLISH_QUEUE);
        assertThat(la.resynchronizations.get()).isEqualTo(resyncsBefore); // the hint is for the other nodes
    }

    @Test
    void aSubscribeFutureCompletesOnlyOnceTheSubscriptionIsInEffect() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        for (int i = 0; i < 100; i++) {
            String stream = "s:" + i;
            b.subscribe(stream).get(5, TimeUnit.SECONDS);
            // No waiting: Redis must already count the subscriber and deliver the next publish.
            assertThat(nodes.redis.numsub(nodes.channel(stream))).as(stream).isEqualTo(1);
            a.publish(event(stream, 1, "right-after"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.events().size() == 100);
        for (int i = 0; i < 100; i++) {
            assertThat(lb.count("s:" + i)).isEqualTo(1);
        }
    }

    @Test
    void subscriptionsAreCountedSoOnlyTheLastUnsubscribeLeavesTheChannel() throws Exception {
        RedisBroker b = nodes.started("b", new RecordingListener());
        b.subscribe("room:1").get(5, TimeUnit.SECONDS);
        b.subscribe("room:1").get(5, TimeUnit.SECONDS);
        b.unsubscribe("room:1");
        b.unsubscribe("never-subscribed");
        assertThat(nodes.redis.numsub(nodes.channel("room:1"))).isEqualTo(1);
        b.unsubscribe("room:1");
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.redis.numsub(nodes.channel("room:1")) == 0);
    }

    @Test
    void racingSubscribesAndUnsubscribesOfOneStreamEndInTheStateOfTheLastCall() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        String channel = nodes.channel("race");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < 500; i++) {
                    b.subscribe("race");
                    b.unsubscribe("race");
                }
                return null;
            }));
        }
        go.countDown();
        for (var f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();
        // Every pair balanced out: the channel must end unsubscribed...
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.redis.numsub(channel) == 0);

        // ...and a late UNSUBSCRIBE never cancels a newer SUBSCRIBE.
        for (int i = 0; i < 200; i++) {
            b.subscribe("race");
            b.unsubscribe("race");
        }
        b.subscribe("race").get(5, TimeUnit.SECONDS);
        assertThat(nodes.redis.numsub(channel)).isEqualTo(1);
        a.publish(event("race", 1, "arrives"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("race") == 1);
    }

    @Test
    void aNodeWithoutInterestInAStreamGetsNoTrafficForIt() throws Exception {
        RecordingListener lb = new RecordingListener();
        RecordingListener lc = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        RedisBroker c = nodes.started("c", lc);
        b.subscribe("user:7").get(5, TimeUnit.SECONDS);
        c.subscribe("user:8").get(5, TimeUnit.SECONDS);

        for (int i = 1; i <= 100; i++) {
            a.publish(event("user:7", i, "for-b"));
        }
        a.publish(event("user:8", 1, "marker-for-c"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("user:7") == 100 && lc.count("user:8") == 1);

        assertThat(lc.count("user:7")).isZero();
        assertThat(nodes.redis.numsub(nodes.channel("user:7"))).isEqualTo(1);
        // C's pub/sub connection holds its one stream plus the control channel, nothing else.
        var cSubscriber = nodes.redis.clients(nodes.connectionName("c", "subscribe"));
        assertThat(cSubscriber).hasSize(1);
        assertThat(cSubscriber.getFirst().get("sub")).isEqualTo("2");
        // A, with no subscriptions, publishes without receiving its own traffic back.
        assertThat(nodes.redis.clients(nodes.connectionName("a", "subscribe")).getFirst().get("sub")).isEqualTo("1");
    }

    @Test
    void undecodableMessagesAreCountedAndDroppedWithoutHurtingTheLink() throws Exception {
        RecordingListener lb = new RecordingListener();
        RedisBroker a = nodes.started("a", new RecordingListener());
        RedisBroker b = nodes.started("b", lb);
        b.subscribe("user:9").get(5, TimeUnit.SECONDS);

        nodes.redis.commands().publish(nodes.channel("user:9"), "not a herald message");
        nodes.redis.commands().publish(nodes.channel("user:9"), "\u0009E-future-version");
        nodes.redis.commands().publish(nodes.channel("user:9"), "\u0001E");
        nodes.redis.commands().publish("herald:" + nodes.prefix + ":control", "x");
        a.publish(event("user:9", 1, "valid"));

        await().atMost(Duration.ofSeconds(5)).until(() -> lb.count("user:9") == 1);
        assertThat(b.malformedMessages()).isEqualTo(4);
        assertThat(b.isHealthy()).isTrue();
        assertThat(lb.payloads("user:9")).containsExactly(payload("valid"));
    }
}
