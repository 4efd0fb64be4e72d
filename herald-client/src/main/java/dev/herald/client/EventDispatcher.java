package dev.herald.client;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client's event thread: every listener and every future the client completes runs here,
 * one task at a time, in the order posted. So listeners are never called concurrently, never on
 * OkHttp's reader thread, and a slow listener delays only other listeners, not the sockets.
 * A task that throws is logged (java.util.logging, which Android routes to logcat) and ignored.
 *
 * <p>The queue itself has no cap; what the sockets put in it is capped by {@link FrameBudget},
 * which makes OkHttp's reader wait while listeners are behind.
 */
final class EventDispatcher {
    static final Logger LOG = Logger.getLogger("dev.herald.client");

    private final ExecutorService executor;

    EventDispatcher(String threadName) {
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} on the event thread; dropped once the client is closed. */
    void post(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "a Herald client listener threw; ignored", t);
                }
            });
        } catch (RejectedExecutionException closed) {
            // the client is closed: nobody listens any more
        }
    }

    /** Runs what is queued, then stops the thread. */
    void shutdown() {
        executor.shutdown();
    }
}
