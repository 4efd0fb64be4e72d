package dev.herald.server.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleWorkerTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private void drain() {
        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
            while (queue.poll() != null) {
                done.incrementAndGet();
            }
        } finally {
            inside.decrementAndGet();
        }
    }

    @Test
    void manyWakersGetOneTaskAtATimeAndEveryItemDone() throws Exception {
        SingleWorker worker = new SingleWorker(executor, this::drain, () -> !queue.isEmpty());
        Thread[] wakers = new Thread[8];
        for (int t = 0; t < wakers.length; t++) {
            wakers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5_000; i++) {
                    queue.add(i);
                    worker.wake();
                }
            });
        }
        for (Thread w : wakers) {
            w.join(10_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 40_000);
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void workQueuedWhileTheTaskEndsStartsAnother() throws Exception {
        CountDownLatch inDrain = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        SingleWorker worker = new SingleWorker(executor, () -> {
            if (runs.incrementAndGet() == 1) {
                inDrain.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS); // looked, found nothing, not yet ended
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            drain();
        }, () -> !queue.isEmpty());
        worker.wake();
        assertThat(inDrain.await(5, TimeUnit.SECONDS)).isTrue();
        queue.add(1);
        worker.wake(); // one runs: this wake starts nothing
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 1);
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void aRefusedStartCanBeRetried() {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        SingleWorker refused = new SingleWorker(closed, this::drain, () -> !queue.isEmpty());
        queue.add(1);
        assertThatThrownBy(refused::wake).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(refused::wake).as("not stuck as running").isInstanceOf(RejectedExecutionException.class);
    }
}
