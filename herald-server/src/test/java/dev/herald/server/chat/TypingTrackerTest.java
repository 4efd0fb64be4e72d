package dev.herald.server.chat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TypingTrackerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> expired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private TypingTracker tracker(ChatSettings settings) {
        TypingTracker t = new TypingTracker(settings, scheduler, nanos::get);
        t.onExpiry((conv, user) -> expired.add(conv + "/" + user));
        return t;
    }

    @Test
    void aStateStartsOnceStopsOnceAndIsPerConversationAndUser() {
        TypingTracker t = tracker(ChatSettings.defaults());
        assertThat(t.start(1, "a")).isEqualTo(TypingTracker.Start.STARTED);
        assertThat(t.start(1, "a")).isEqualTo(TypingTracker.Start.ALREADY_TYPING);
        assertThat(t.start(2, "a")).isEqualTo(TypingTracker.Start.STARTED);
        assertThat(t.start(1, "b")).isEqualTo(TypingTracker.Start.STARTED);
        assertThat(t.activeCount()).isEqualTo(3);
        assertThat(t.stop(1, "a")).isTrue();
        assertThat(t.stop(1, "a")).isFalse();
        assertThat(t.isTyping(2, "a")).isTrue();
        assertThat(t.refresh(1, "a")).as("refresh does not start a state").isFalse();
    }

    @Test
    void aStateThatIsNeverStoppedExpiresByItselfOnce() {
        TypingTracker t = tracker(ChatSettings.defaults().withTypingExpiry(Duration.ofMillis(150)));
        t.start(3, "a");
        await().atMost(Duration.ofSeconds(5)).until(() -> expired.size() == 1);
        assertThat(expired).containsExactly("3/a");
        assertThat(t.isTyping(3, "a")).isFalse();
        assertThat(t.stop(3, "a")).as("nothing left to stop").isFalse();
    }

    @Test
    void refreshingPostponesTheExpiryAndAStoppedStateNeverExpires() throws Exception {
        TypingTracker t = tracker(ChatSettings.defaults().withTypingExpiry(Duration.ofMillis(400)));
        t.start(1, "a");
        t.start(2, "b");
        assertThat(t.stop(2, "b")).isTrue();
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            Thread.sleep(200);
            assertThat(t.refresh(1, "a")).isTrue();
        }
        assertThat(expired).as("refreshed every 200 ms, expiry 400 ms").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> !expired.isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1_000));
        assertThat(expired).containsExactly("1/a");
    }

    @Test
    void theRateLimitAllowsABurstThenRefillsWithTime() {
        TypingTracker t = tracker(ChatSettings.defaults()); // 2 per second, burst 5
        for (int i = 0; i < 5; i++) {
            assertThat(t.tryAcquire("a")).isTrue();
        }
        assertThat(t.tryAcquire("a")).isFalse();
        assertThat(t.tryAcquire("b")).as("buckets are per user").isTrue();
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(t.tryAcquire("a")).isTrue();
        assertThat(t.tryAcquire("a")).isFalse();
    }

    @Test
    void theNumberOfStatesIsCapped() {
        ChatSettings small = new ChatSettings(4000, 30, Duration.ofSeconds(5), 2, 5, 2, 10, 100);
        TypingTracker t = tracker(small);
        assertThat(t.start(1, "a")).isEqualTo(TypingTracker.Start.STARTED);
        assertThat(t.start(1, "b")).isEqualTo(TypingTracker.Start.STARTED);
        assertThat(t.start(1, "c")).isEqualTo(TypingTracker.Start.TOO_MANY);
        assertThat(t.start(1, "a")).as("an existing state may be renewed at the cap").isEqualTo(TypingTracker.Start.ALREADY_TYPING);
        t.stop(1, "b");
        assertThat(t.start(1, "c")).isEqualTo(TypingTracker.Start.STARTED);
    }

    @Test
    void idleBucketsArePurgedAndStartFull() {
        TypingTracker t = tracker(ChatSettings.defaults());
        for (int i = 0; i < 5; i++) {
            t.tryAcquire("a");
        }
        t.tryAcquire("b");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        t.tryAcquire("b");
        t.purgeIdleBuckets();
        assertThat(t.bucketCount()).as("b is busy").isEqualTo(2);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        t.purgeIdleBuckets();
        assertThat(t.bucketCount()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(t.tryAcquire("a")).isTrue();
        }
    }
}
