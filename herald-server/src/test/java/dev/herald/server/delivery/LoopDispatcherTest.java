package dev.herald.server.delivery;

import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.notify.NotificationLog;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.QuietDelivery;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How a loop's pass writes and flushes: one flush per connection, as early as that can be. */
class LoopDispatcherTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final InProcessBroker broker = new InProcessBroker();
    private DeliveryHub hub;

    @BeforeEach
    void setUp() {
        hub = new DeliveryHub(QuietDelivery.EMPTY_LOG, broker, blocking, NotificationFrames::unreadCountAfter,
                QuietDelivery.NO_LISTENER);
        broker.start(hub);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        blocking.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private void subscribe(RecordingSession session, String... streams) throws Exception {
        AtomicInteger started = new AtomicInteger();
        loop.submit(() -> {
            for (String stream : streams) {
                hub.subscribe(session, stream, -1, TypeFilter.ALL, st -> started.incrementAndGet());
            }
        }).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == streams.length);
    }

    private static StreamEvent event(String stream, long seq) {
        return new StreamEvent(stream, seq, "t", System.currentTimeMillis(), -1,
                ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** A notification on a user's stream as a publish hands it over: with the counts after it. */
    private static StreamEvent notification(long seq, long unread) {
        return new StreamEvent("user:42", seq, "t", System.currentTimeMillis(), unread, unread,
                ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8), null);
    }

    /** What a session was given, as "seq" for notifications and "type=unread" for the rest. */
    private static List<String> written(RecordingSession session) {
        return session.delivered.stream()
                .map(e -> e.isSequenced() ? String.valueOf(e.seq()) : e.type() + "=" + e.unread())
                .toList();
    }

    /** Holds the loop while {@code publishes} run, so that their events land in one pass. */
    private void inOnePass(Runnable publishes) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        publishes.run();
        release.countDown();
        // Twice: a pass that leaves events queued schedules itself again, behind the first wait.
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFanoutFlushesEachConnectionAsSoonAsItHasItsEvents() throws Exception {
        RecordingSession a = new RecordingSession(loop, "a", journal);
        RecordingSession b = new RecordingSession(loop, "b", journal);
        subscribe(a, "topic:x");
        subscribe(b, "topic:x");
        journal.clear(); // a subscription's start flushes too

        inOnePass(() -> {
            broker.publish(event("topic:x", 1));
            broker.publish(event("topic:x", 2));
        });

        // Whichever connection the pass visits first is flushed before the other gets anything.
        String first = journal.get(0).substring(0, 1);
        String second = first.equals("a") ? "b" : "a";
        assertThat(journal).containsExactly(first + ":deliver", first + ":deliver", first + ":flush",
                second + ":deliver", second + ":deliver", second + ":flush");
    }

    @Test
    void aConnectionInSeveralRunsOfAPassIsFlushedOnceAfterAllOfThem() throws Exception {
        RecordingSession both = new RecordingSession(loop, "both", journal);
        subscribe(both, "topic:x", "topic:y");
        journal.clear();

        inOnePass(() -> {
            broker.publish(event("topic:x", 1));
            broker.publish(event("topic:y", 1));
            broker.publish(event("topic:x", 2));
        });

        assertThat(journal).containsExactly("both:deliver", "both:deliver", "both:deliver", "both:flush");
    }

    @Test
    void aBurstOfNotificationsIsFollowedByOneCountWithTheLastOnesCounts() throws Exception {
        RecordingSession user = new RecordingSession(loop, "user", journal);
        subscribe(user, "user:42");
        journal.clear();

        inOnePass(() -> {
            broker.publish(notification(1, 1));
            broker.publish(notification(2, 2));
            broker.publish(notification(3, 3));
        });

        assertThat(written(user)).containsExactly("1", "2", "3", "unread_count=3");
        assertThat(journal).containsExactly("user:deliver", "user:deliver", "user:deliver", "user:deliver", "user:flush");
    }

    @Test
    void aNotificationOnItsOwnIsFollowedByItsOwnCount() throws Exception {
        RecordingSession user = new RecordingSession(loop, "user", null);
        subscribe(user, "user:42");

        inOnePass(() -> broker.publish(notification(1, 1)));
        inOnePass(() -> broker.publish(notification(2, 2)));

        assertThat(written(user)).containsExactly("1", "unread_count=1", "2", "unread_count=2");
    }

    @Test
    void aCountWaitingForTheEndOfItsRunGoesOutBeforeAnInboxChangeAndANewerCountReplacesIt() throws Exception {
        RecordingSession user = new RecordingSession(loop, "user", null);
        subscribe(user, "user:42");

        inOnePass(() -> {
            broker.publish(notification(1, 1));
            broker.publish(StreamEvent.ephemeral("user:42", "inbox", -1, "{}".getBytes(StandardCharsets.UTF_8)));
            broker.publish(notification(2, 2));
            broker.publish(NotificationFrames.unreadCount("user:42", 0, 0));
        });

        // The inbox change is written after the count before it; the read-all's count (0) is newer
        // than the notification's (2), which is dropped rather than sent after it.
        assertThat(written(user)).containsExactly("1", "unread_count=1", "inbox=-1", "2", "unread_count=0");
    }

    @Test
    void aLoopThatFallsBehindSendsOnlyTheStreamsThatLostEventsToTheStore() throws Exception {
        MemoryStore store = new MemoryStore();
        Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
        StreamLog notifications = new NotificationLog(store);
        StreamLog counted = new StreamLog() {
            @Override
            public StreamState state(String stream) {
                return notifications.state(stream);
            }

            @Override
            public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
                reads.computeIfAbsent(stream, k -> new AtomicInteger()).incrementAndGet();
                return notifications.readSince(stream, afterSeq, limit);
            }
        };
        List<Integer> fellBehind = new CopyOnWriteArrayList<>();
        InProcessBroker own = new InProcessBroker();
        hub = new DeliveryHub(counted, own, blocking, NotificationFrames::unreadCountAfter,
                QuietDelivery.onFellBehind(fellBehind::add));
        own.start(hub);
        // The busy stream's events are filtered out (they still move the cursor), so that the
        // session does not have to keep 65,537 of them.
        RecordingSession busy = new RecordingSession(loop);
        RecordingSession quiet = new RecordingSession(loop);
        AtomicInteger started = new AtomicInteger();
        AtomicReference<StreamSubscription> busySub = new AtomicReference<>();
        loop.submit(() -> {
            busySub.set(hub.subscribe(busy, "topic:busy", -1, TypeFilter.parse("other"), st -> started.incrementAndGet()));
            hub.subscribe(quiet, "topic:quiet", -1, TypeFilter.ALL, st -> started.incrementAndGet());
        }).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 2 && loop.submit(busySub.get()::isLive).get());

        int published = LoopDispatcher.MAX_QUEUED + 1; // one more than the loop may have queued
        inOnePass(() -> {
            for (int i = 0; i < published; i++) {
                own.publish(NotificationFrames.event(store.append("topic:busy", "t")));
            }
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> loop.submit(busySub.get()::cursor).get() == published);
        assertThat(reads.get("topic:busy")).as("the busy stream caught up from the store").isNotNull();
        assertThat(reads).as("the quiet stream lost nothing and was not read").doesNotContainKey("topic:quiet");
        assertThat(fellBehind).as("one overflow, one subscription sent to the store (metrics)").containsExactly(1);
        own.publish(NotificationFrames.event(store.append("topic:quiet", "t")));
        await().atMost(Duration.ofSeconds(5)).until(() -> quiet.seqs().size() == 1);
        assertThat(reads).doesNotContainKey("topic:quiet");
    }
}
