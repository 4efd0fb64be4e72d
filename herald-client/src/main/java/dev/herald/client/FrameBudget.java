package dev.herald.client;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The cap on received frame text not yet through the listeners (16 Mi characters by default,
 * as OkHttp caps a WebSocket's outgoing queue at 16 MiB). {@link #take} blocks OkHttp's reader
 * thread while the cap is reached, so a slow listener slows the socket instead of growing
 * memory. Thread-safe.
 */
final class FrameBudget {
    static final int DEFAULT_CAP_CHARS = 16 * 1024 * 1024;

    private final int cap;
    private final Semaphore free;
    private volatile boolean closed;

    FrameBudget(int cap) {
        this.cap = cap;
        this.free = new Semaphore(cap);
    }

    /** Takes room for a frame of {@code chars}; waits while there is none. Answers the permits taken, -1 once closed. */
    int take(int chars) {
        int permits = Math.max(1, Math.min(chars, cap));
        while (!closed) {
            try {
                if (free.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
                    return permits;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    void give(int permits) {
        free.release(permits);
    }

    void close() {
        closed = true;
    }
}
