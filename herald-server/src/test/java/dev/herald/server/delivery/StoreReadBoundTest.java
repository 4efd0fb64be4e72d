package dev.herald.server.delivery;

import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.QuietDelivery;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many subscriptions going to the store at once (a reconnect storm, a loop that fell behind)
 * take a bounded share of it: they wait their turn instead of all holding a pooled connection,
 * which starved the writers, and every one of them still gets its read.
 */
class StoreReadBoundTest {
    private static final int SUBSCRIPTIONS = 40;

    private final EventLoop loop = new DefaultEventLoop();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch storeSlow = new CountDownLatch(1);
    private final AtomicInteger reading = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final AtomicInteger reads = new AtomicInteger();

    /** A store that holds every read until {@link #storeSlow} opens, and counts who is inside. */
    private final StreamLog slowLog = new StreamLog() {
        @Override
        public StreamState state(String stream) {
            int now = reading.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            try {
                storeSlow.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                reading.decrementAndGet();
            }
            reads.incrementAndGet();
            return StreamState.EMPTY;
        }

        @Override
        public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
            return List.of();
        }
    };

    @AfterEach
    void tearDown() throws InterruptedException {
        storeSlow.countDown();
        blocking.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private DeliveryHub hub() {
        InProcessBroker broker = new InProcessBroker();
        DeliveryHub hub = new DeliveryHub(slowLog, broker, blocking, e -> e, QuietDelivery.NO_LISTENER);
        broker.start(hub);
        return hub;
    }

    @Test
    void aStormOfSubscriptionsReadsTheStoreAFewAtATimeAndEveryOneStarts() throws Exception {
        DeliveryHub hub = hub();
        AtomicInteger started = new AtomicInteger();
        loop.submit(() -> {
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                hub.subscribe(new RecordingSession(loop), "user:" + i, -1, TypeFilter.ALL, st -> started.incrementAndGet());
            }
        }).get(5, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> reading.get() == DeliveryHub.MAX_STORE_READS);
        Thread.sleep(200); // the others had every chance to pile in
        assertThat(mostAtOnce.get()).isEqualTo(DeliveryHub.MAX_STORE_READS);
        assertThat(started.get()).isZero();

        storeSlow.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == SUBSCRIPTIONS);
        assertThat(reads.get()).isEqualTo(SUBSCRIPTIONS);
        assertThat(mostAtOnce.get()).isEqualTo(DeliveryHub.MAX_STORE_READS);
    }

    @Test
    void aSessionThatClosedWhileWaitingForItsTurnIsNotReadFor() throws Exception {
        DeliveryHub hub = hub();
        List<RecordingSession> sessions = new java.util.ArrayList<>();
        loop.submit(() -> {
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                RecordingSession s = new RecordingSession(loop);
                sessions.add(s);
                hub.subscribe(s, "user:" + i, -1, TypeFilter.ALL, st -> { });
            }
        }).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> reading.get() == DeliveryHub.MAX_STORE_READS);

        for (RecordingSession s : sessions) {
            s.close(CloseReason.SHUTDOWN);
        }
        storeSlow.countDown();

        // Only the reads already inside the store finish; the waiting ones are skipped.
        await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() == DeliveryHub.MAX_STORE_READS);
        Thread.sleep(200);
        assertThat(reads.get()).isEqualTo(DeliveryHub.MAX_STORE_READS);
    }
}
