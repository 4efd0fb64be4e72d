package dev.herald.server.transport.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a node's graceful shutdown waiting for the requests served on the event loops
 * ({@link Route.LoopHandler}: a publish queued to the store writer) as it waits for those on
 * virtual threads. Shutdown shuts the blocking executor down and waits for its tasks, then closes
 * the connections; a loop request holds no task of its own, so while any is in flight one task of
 * that executor waits here until none is. Under load that is one parked virtual thread, started
 * when requests begin after a pause, not one per request.
 *
 * <p>A request is admitted ({@link #enter}) only while the executor takes work, so one arriving
 * after shutdown began is refused like a blocking route's ({@link RejectedExecutionException}:
 * 503). Thread-safe; {@link #enter} and {@link #exit} are called on the loops and take the lock
 * only when the count passes zero.
 */
final class LoopRequestDrain {
    private final ExecutorService blocking;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    LoopRequestDrain(ExecutorService blocking) {
        this.blocking = blocking;
    }

    /**
     * Counts a request in; call {@link #exit} exactly once when it is answered.
     *
     * @throws RejectedExecutionException when the node is shutting down (nothing counted)
     */
    void enter() {
        if (blocking.isShutdown()) {
            throw new RejectedExecutionException("shutting down");
        }
        if (inFlight.getAndIncrement() == 0) {
            try {
                blocking.execute(this::awaitIdle);
            } catch (RejectedExecutionException e) {
                exit();
                throw e;
            }
        }
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Requests counted in and not yet answered. */
    int inFlight() {
        return inFlight.get();
    }

    private void awaitIdle() {
        lock.lock();
        try {
            while (inFlight.get() > 0) {
                idle.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
