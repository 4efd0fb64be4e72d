package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.notify.NotificationLog;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.QuietDelivery;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cursor algorithm of the delivery core against adversarial broker behaviour: events
 * published during replay, out of order, lost, or for seqs that were deleted.
 */
class StreamSubscriptionTest {
    private static final String STREAM = "user:42";

    private EventLoop loop;
    private ExecutorService blocking;
    private MemoryStore store;
    private InProcessBroker broker;
    private DeliveryHub hub;
    private RecordingSession session;

    @BeforeEach
    void setUp() {
        loop = new DefaultEventLoop();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        store = new MemoryStore();
        broker = new InProcessBroker();
        hub = new DeliveryHub(new NotificationLog(store), broker, blocking, NotificationFrames::unreadCountAfter,
                QuietDelivery.NO_LISTENER);
        broker.start(hub);
        session = new RecordingSession(loop);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        blocking.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private StoredNotification publish(String type) {
        StoredNotification n = store.append(STREAM, type);
        broker.publish(NotificationFrames.event(n));
        return n;
    }

    private StreamSubscription subscribe(long since, TypeFilter filter) throws Exception {
        AtomicReference<StreamSubscription> sub = new AtomicReference<>();
        loop.submit(() -> sub.set(hub.subscribe(session, STREAM, since, filter, st -> { }))).get(5, TimeUnit.SECONDS);
        return sub.get();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    @Test
    void resumeWhilePublishersPublishDeliversEverySeqAfterSinceOnceAndInOrder() throws Exception {
        for (int i = 0; i < 700; i++) {
            store.append(STREAM, "order_created");
        }
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1500; i++) {
                publish("order_created");
            }
        });
        subscribe(40, TypeFilter.ALL);
        publisher.join(30_000);

        await().atMost(Duration.ofSeconds(20)).until(() -> session.seqs().size() >= 2160);
        assertThat(session.seqs()).isEqualTo(range(41, 2200));
    }

    @Test
    void aUsersSessionsShareOneUnreadCountEventPerNotification() throws Exception {
        RecordingSession other = new RecordingSession(loop);
        subscribe(-1, TypeFilter.ALL);
        loop.submit(() -> hub.subscribe(other, STREAM, -1, TypeFilter.ALL, st -> { })).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(() -> true).get());
        StoredNotification n = store.append(STREAM, "t");
        // As a publish stores it: with the stream's unread and unseen counts after it.
        broker.publish(NotificationFrames.event(StoredNotification.fresh(n.id(), n.stream(), n.seq(), n.type(), n.json(),
                n.createdAt(), 1, 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> session.delivered.size() >= 2 && other.delivered.size() >= 2);
        StreamEvent mine = session.delivered.get(1);
        assertThat(mine.type()).isEqualTo("unread_count");
        assertThat(mine.unread()).isEqualTo(1);
        assertThat(other.delivered.get(1)).as("one event (and so one encoding) for every session").isSameAs(mine);
    }

    @Test
    void moreLiveEventsThanTheBufferHoldsDuringReplayAreStillDeliveredOnce() throws Exception {
        for (int i = 0; i < 3000; i++) {
            store.append(STREAM, "t");
        }
        session.writable = false; // hold the replay so live events pile up past the buffer cap
        StreamSubscription sub = subscribe(0, TypeFilter.ALL);
        for (int i = 0; i < StreamSubscription.MAX_BUFFERED + 500; i++) {
            publish("t");
        }
        session.writable = true;
        loop.execute(() -> hub.writable(sub));
        long total = 3000 + StreamSubscription.MAX_BUFFERED + 500;
        await().atMost(Duration.ofSeconds(20)).until(() -> session.seqs().size() >= total);
        assertThat(session.seqs()).isEqualTo(range(1, total));
    }

    @Test
    void eventsThatOvertakeEachOtherAreDeliveredInSeqOrder() throws Exception {
        subscribe(-1, TypeFilter.ALL);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(() -> true).get());
        StoredNotification one = store.append(STREAM, "t");
        StoredNotification two = store.append(STREAM, "t");
        StoredNotification three = store.append(STREAM, "t");
        broker.publish(NotificationFrames.event(three));
        broker.publish(NotificationFrames.event(one));
        broker.publish(NotificationFrames.event(two));

        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 3);
        assertThat(session.seqs()).isEqualTo(List.of(1L, 2L, 3L));
    }

    @Test
    void anEventTheBrokerLostIsFetchedFromTheStoreWhenTheNextOneArrives() throws Exception {
        StreamSubscription sub = subscribe(-1, TypeFilter.ALL);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(sub::isLive).get());
        for (int i = 0; i < 4; i++) {
            store.append(STREAM, "t"); // committed, but the broker never carried them
        }
        publish("t");

        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 5);
        assertThat(session.seqs()).isEqualTo(range(1, 5));
    }

    @Test
    void deletedSeqsDoNotStallDelivery() throws Exception {
        StreamSubscription sub = subscribe(-1, TypeFilter.ALL);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(sub::isLive).get());
        store.append(STREAM, "t");
        store.append(STREAM, "t");
        store.remove(STREAM, 1);
        store.remove(STREAM, 2);
        publish("t");
        publish("t");

        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 2);
        assertThat(session.seqs()).isEqualTo(List.of(3L, 4L));
    }

    @Test
    void replayWaitsWhileTheSessionIsNotWritable() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.append(STREAM, "t");
        }
        session.writable = false;
        StreamSubscription sub = subscribe(0, TypeFilter.ALL);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> session.delivered.isEmpty());

        session.writable = true;
        loop.execute(() -> hub.writable(sub));
        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 10);
        assertThat(session.seqs()).isEqualTo(range(1, 10));
        assertThat(session.closedWith).isNull();
    }

    @Test
    void aLiveEventForAnUnwritableSessionClosesItAsSlowConsumer() throws Exception {
        StreamSubscription sub = subscribe(-1, TypeFilter.ALL);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(sub::isLive).get());
        session.writable = false;
        publish("t");

        await().atMost(Duration.ofSeconds(5)).until(() -> session.closedWith != null);
        assertThat(session.closedWith).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(session.delivered).isEmpty();
    }

    @Test
    void aCatchingUpSessionThatStaysUnwritableWhileLiveEventsAreDueIsClosedAsSlowConsumerAfterTheStallLimit() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.append(STREAM, "t");
        }
        session.writable = false; // the client stopped reading: the replay cannot write
        long start = System.nanoTime();
        subscribe(0, TypeFilter.ALL);
        publish("t"); // a live event is due while the replay waits

        long limitMs = TimeUnit.NANOSECONDS.toMillis(StreamSubscription.CATCH_UP_STALL_LIMIT_NANOS);
        await().atMost(Duration.ofMillis(limitMs + 5_000)).until(() -> session.closedWith != null);
        assertThat(session.closedWith).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(limitMs);
        assertThat(session.delivered).isEmpty();
    }

    @Test
    void aCatchingUpSessionThatDrainsBeforeTheStallLimitIsNotClosed() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.append(STREAM, "t");
        }
        session.writable = false;
        StreamSubscription sub = subscribe(0, TypeFilter.ALL);
        publish("t");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> session.closedWith == null);
        session.writable = true;
        loop.execute(() -> hub.writable(sub));

        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() == 11);
        assertThat(session.seqs()).isEqualTo(range(1, 11));
        assertThat(session.closedWith).isNull();
    }

    @Test
    void filteredTypesAreSkippedButStillAdvanceTheCursor() throws Exception {
        StreamSubscription sub = subscribe(-1, TypeFilter.parse("order_*,payment_status_changed"));
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(sub::isLive).get());
        publish("order_created");
        publish("general_announcement");
        publish("payment_status_changed");
        publish("order_completed");

        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(sub::cursor).get() == 4);
        assertThat(session.delivered).extracting(StreamEvent::type)
                .containsExactly("order_created", "payment_status_changed", "order_completed");
    }

    @Test
    void unsubscribingTheLastSessionForgetsTheStream() throws Exception {
        StreamSubscription sub = subscribe(-1, TypeFilter.ALL);
        assertThat(hub.streamCount()).isEqualTo(1);
        hub.unsubscribe(sub);
        assertThat(hub.streamCount()).isZero();
        publish("t");
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> session.delivered.isEmpty());
    }

    @Test
    void aBurstOfTwoStreamsReachesEachSubscriptionInOrderWithOneFlushAndNothingAfterAClose() throws Exception {
        String other = "topic:branch:7";
        RecordingSession both = new RecordingSession(loop);
        RecordingSession closing = new RecordingSession(loop);
        closing.closeAfter = 2;
        loop.submit(() -> {
            hub.subscribe(session, STREAM, -1, TypeFilter.ALL, st -> { });
            hub.subscribe(both, STREAM, -1, TypeFilter.ALL, st -> { });
            hub.subscribe(both, other, -1, TypeFilter.ALL, st -> { });
            hub.subscribe(closing, STREAM, -1, TypeFilter.ALL, st -> { });
        }).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.submit(() -> true).get());

        int bothBefore = both.flushes;
        int sessionBefore = session.flushes;
        // The loop is held while the burst is published: it arrives as one pass.
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            try {
                held.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> published = new java.util.ArrayList<>();
        for (String stream : List.of(STREAM, STREAM, other, STREAM, other, STREAM)) {
            StoredNotification n = store.append(stream, "t");
            broker.publish(NotificationFrames.event(n));
            published.add(stream + "#" + n.seq());
        }
        held.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> both.delivered.size() >= 6 && session.seqs().size() >= 4);
        assertThat(both.delivered).extracting(e -> e.stream() + "#" + e.seq()).isEqualTo(published);
        assertThat(session.seqs()).isEqualTo(range(1, 4));
        assertThat(both.flushes - bothBefore).as("one flush for the pass, however many events").isEqualTo(1);
        assertThat(session.flushes - sessionBefore).isEqualTo(1);
        assertThat(closing.seqs()).as("nothing after its close").isEqualTo(range(1, 2));
        assertThat(closing.closedWith).isEqualTo(dev.herald.server.delivery.CloseReason.SLOW_CONSUMER);
    }

    /**
     * A log over the test's store whose first read of one kind (the state, or the first replay
     * read) takes its answer and then waits for {@link #release}: meanwhile the store moves on
     * and the answer does not, as a read issued just before a commit.
     */
    private static final class HeldRead implements StreamLog {
        private final StreamLog store;
        private final boolean holdState;
        private final AtomicBoolean holding = new AtomicBoolean();
        final CountDownLatch answered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldRead(StreamLog store, boolean holdState) {
            this.store = store;
            this.holdState = holdState;
        }

        @Override
        public StreamState state(String stream) {
            StreamState answer = store.state(stream);
            if (holdState) {
                hold();
            }
            return answer;
        }

        @Override
        public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
            List<StreamEvent> answer = store.readSince(stream, afterSeq, limit);
            if (!holdState) {
                hold();
            }
            return answer;
        }

        private void hold() {
            if (holding.compareAndSet(false, true)) {
                answered.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A hub of its own over {@code log}, so that the test decides when the store answers. */
    private DeliveryHub hubOver(StreamLog log) {
        InProcessBroker own = new InProcessBroker();
        DeliveryHub h = new DeliveryHub(log, own, blocking, NotificationFrames::unreadCountAfter, QuietDelivery.NO_LISTENER);
        own.start(h);
        return h;
    }

    @Test
    void anEventLostWhileTheReplayReadWasOutIsReadWhenTheHubResynchronizes() throws Exception {
        store.append(STREAM, "t");
        HeldRead log = new HeldRead(new NotificationLog(store), false);
        DeliveryHub held = hubOver(log);
        loop.submit(() -> held.subscribe(session, STREAM, 0, TypeFilter.ALL, st -> { })).get(5, TimeUnit.SECONDS);
        assertThat(log.answered.await(5, TimeUnit.SECONDS)).isTrue(); // seq 1, and nothing after it

        store.append(STREAM, "t"); // committed after the read; its live event is lost
        held.resynchronize();
        log.release.countDown();

        // Nothing else is published: without the second read, seq 2 would wait for the next event.
        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 2);
        assertThat(session.seqs()).isEqualTo(range(1, 2));
    }

    @Test
    void anEventLostWhileTheStateWasReadIsReadWhenTheHubResynchronizes() throws Exception {
        HeldRead log = new HeldRead(new NotificationLog(store), true);
        DeliveryHub held = hubOver(log);
        loop.submit(() -> held.subscribe(session, STREAM, -1, TypeFilter.ALL, st -> { })).get(5, TimeUnit.SECONDS);
        assertThat(log.answered.await(5, TimeUnit.SECONDS)).isTrue(); // the stream is empty

        store.append(STREAM, "t"); // after the subscription was registered; its live event is lost
        held.resynchronize();
        log.release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> session.seqs().size() >= 1);
        assertThat(session.seqs()).isEqualTo(List.of(1L));
    }
}
