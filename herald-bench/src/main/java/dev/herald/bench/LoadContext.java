package dev.herald.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What every client of one load run reports into: the latency recorder (microseconds,
 * publish-to-receive), the delivery counter, the count of clients caught up with a target seq
 * (reconnect storm), and for Herald's chat the acks of the clients' own sends (count and
 * send-to-ack latency) and the error frames. Written from the client event loops (wait-free),
 * read by the scenario thread. {@link #barrier} gives the scenario thread a happens-before edge
 * with the loops.
 */
final class LoadContext {

    final Recorder latencyMicros = new Recorder(3);
    final LongAdder delivered = new LongAdder();
    final LongAdder caughtUp = new LongAdder();
    /** Herald chat: {@code ack}s of this run's sends, and send-to-ack latency in microseconds. */
    final LongAdder acks = new LongAdder();
    final Recorder ackLatencyMicros = new Recorder(3);
    /** Herald chat: {@code error} frames received, and the text of the first one (null: none). */
    final LongAdder errors = new LongAdder();
    final AtomicReference<String> firstError = new AtomicReference<>();
    /** Seq a client must reach to count as caught up; Long.MAX_VALUE: not tracking. */
    volatile long catchUpSeq = Long.MAX_VALUE;
    final EventLoopGroup clientLoops;

    LoadContext(EventLoopGroup clientLoops) {
        this.clientLoops = clientLoops;
    }

    /** Starts a new measuring phase: forgets the latencies recorded so far. */
    void resetLatency() {
        latencyMicros.getIntervalHistogram();
        ackLatencyMicros.getIntervalHistogram();
    }

    /** The latencies recorded since the last reset (or call), in microseconds. */
    Histogram takeLatency() {
        return latencyMicros.getIntervalHistogram();
    }

    /** The send-to-ack latencies recorded since the last reset (or call), in microseconds. */
    Histogram takeAckLatency() {
        return ackLatencyMicros.getIntervalHistogram();
    }

    /** Records an error frame; the first one's text is kept for the notes. */
    void error(String text) {
        errors.increment();
        firstError.compareAndSet(null, text);
    }

    /** Runs an empty task on every client loop and waits for it, so their writes are visible here. */
    void barrier() {
        for (EventExecutor loop : clientLoops) {
            loop.submit(() -> { }).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits until {@code delivered} reaches {@code expected}, or it made no progress for
     * {@code idle}, or {@code max} passed. Returns whether it reached the expected count.
     */
    boolean awaitDelivered(long expected, Duration idle, Duration max) {
        return awaitCounter(delivered, expected, idle, max);
    }

    static boolean awaitCounter(LongAdder counter, long expected, Duration idle, Duration max) {
        return awaitCount(counter::sum, expected, idle, max);
    }

    /** {@link #awaitCounter} for a count made of several counters. */
    static boolean awaitCount(LongSupplier count, long expected, Duration idle, Duration max) {
        long start = System.nanoTime();
        long last = count.getAsLong();
        long lastProgress = start;
        while (true) {
            long now = System.nanoTime();
            long seen = count.getAsLong();
            if (seen >= expected) {
                return true;
            }
            if (seen != last) {
                last = seen;
                lastProgress = now;
            }
            if (now - lastProgress > idle.toNanos() || now - start > max.toNanos()) {
                return false;
            }
            sleep(20);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
