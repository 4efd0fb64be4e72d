package dev.herald.server.api;

import dev.herald.server.broker.Broker;
import dev.herald.server.store.Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether this node can serve, measured rather than assumed: every event loop runs a probe task
 * within {@link #LOOP_DEADLINE_MILLIS} ms (a wedged loop strands every connection it owns), the
 * allocator hands out a direct buffer (direct memory exhausted means no request can be read),
 * and, for readiness, the store and the broker answer.
 *
 * <p>{@code /healthz} (liveness: restart me when false) uses {@link #liveness()};
 * {@code /readyz} (send me traffic) uses {@link #readiness()}. Results are kept for
 * {@link #CACHE_MILLIS} ms so that a flood of probes costs one check. Thread-safe; the checks
 * block (up to the loop deadline, plus the store's own timeout) and run on the blocking executor.
 */
public final class NodeHealth {
    static final long LOOP_DEADLINE_MILLIS = 2_000;
    static final long CACHE_MILLIS = 1_000;
    /** One pooled chunk's worth would be wasteful; a page-sized buffer proves allocation works. */
    static final int PROBE_BYTES = 8 * 1024;

    /** What was measured. {@code wedgedLoops} lists the loops that did not answer in time. */
    public record Report(List<String> wedgedLoops, String memoryProblem, Boolean storeOk, Boolean brokerOk) {
        public boolean live() {
            return wedgedLoops.isEmpty() && memoryProblem == null;
        }

        public boolean ready() {
            return live() && Boolean.TRUE.equals(storeOk) && Boolean.TRUE.equals(brokerOk);
        }
    }

    private final Iterable<EventExecutor> loops;
    private final ByteBufAllocator allocator;
    private final Store store;
    private final Broker broker;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Report lastLiveness;
    private long livenessAt;
    private Report lastReadiness;
    private long readinessAt;

    public NodeHealth(Iterable<EventExecutor> loops, ByteBufAllocator allocator, Store store, Broker broker) {
        this.loops = loops;
        this.allocator = allocator;
        this.store = store;
        this.broker = broker;
    }

    /** Event loops and memory. */
    public Report liveness() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (lastLiveness == null || now - livenessAt > TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS)) {
                lastLiveness = new Report(wedgedLoops(), memoryProblem(), null, null);
                livenessAt = System.nanoTime();
            }
            return lastLiveness;
        } finally {
            lock.unlock();
        }
    }

    /** Liveness, plus the store and the broker. */
    public Report readiness() {
        Report live = liveness();
        lock.lock();
        try {
            long now = System.nanoTime();
            if (lastReadiness == null || now - readinessAt > TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS)) {
                lastReadiness = new Report(live.wedgedLoops(), live.memoryProblem(), store.isReachable(),
                        broker.isHealthy());
                readinessAt = System.nanoTime();
            }
            return lastReadiness;
        } finally {
            lock.unlock();
        }
    }

    private List<String> wedgedLoops() {
        List<EventExecutor> probed = new ArrayList<>();
        List<Future<?>> answers = new ArrayList<>();
        for (EventExecutor loop : loops) {
            probed.add(loop);
            try {
                answers.add(loop.submit(() -> { }));
            } catch (RuntimeException e) { // rejected: shutting down
                answers.add(null);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOP_DEADLINE_MILLIS);
        List<String> wedged = new ArrayList<>();
        for (int i = 0; i < probed.size(); i++) {
            Future<?> answer = answers.get(i);
            long left = deadline - System.nanoTime();
            boolean ok = answer != null && answer.awaitUninterruptibly(Math.max(0, left), TimeUnit.NANOSECONDS)
                    && answer.isSuccess();
            if (!ok) {
                wedged.add(name(probed.get(i), i));
            }
        }
        return List.copyOf(wedged);
    }

    private static String name(EventExecutor loop, int index) {
        return "loop-" + index;
    }

    private String memoryProblem() {
        ByteBuf probe = null;
        try {
            probe = allocator.directBuffer(PROBE_BYTES);
            probe.writeZero(PROBE_BYTES);
            return null;
        } catch (OutOfMemoryError | RuntimeException e) {
            return "cannot allocate " + PROBE_BYTES + " bytes of direct memory: " + e.getMessage();
        } finally {
            if (probe != null) {
                probe.release();
            }
        }
    }
}
