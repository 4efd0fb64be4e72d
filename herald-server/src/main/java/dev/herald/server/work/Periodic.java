package dev.herald.server.work;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A background task run again and again with a fixed delay between runs, on a daemon platform
 * thread of its own, until {@link #close}. The task catches its own failures: one that escapes
 * would end the repetition (as with any {@link ScheduledExecutorService}). Thread-safe.
 */
public final class Periodic implements AutoCloseable {
    private final ScheduledExecutorService timer;

    /** Starts: the first run after {@code firstAfter}, then {@code every} after each run ends. */
    public Periodic(String threadName, Duration firstAfter, Duration every, Runnable task) {
        Objects.requireNonNull(task, "task");
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(threadName).daemon(true).factory());
        timer.scheduleWithFixedDelay(task, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops: interrupts a run in progress and waits up to 5 s for it to end. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
