package dev.herald.server.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A node-wide cap on bytes some kind of work may hold at once, taken before the bytes are held
 * and given back when they are let go, so that many connections each within their own cap cannot
 * fill memory together. Used for request bodies being received ({@code RequestGuard}, before any
 * credential is seen) and for chat sends held while the store has no room ({@code ChatService}).
 * Thread-safe, lock-free (taken and given back from every event loop).
 */
public final class ByteBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    public ByteBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Takes {@code bytes}; false (and nothing taken) when that would pass the capacity. */
    public boolean take(long bytes) {
        long after = used.addAndGet(bytes);
        if (after > capacity) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    public void giveBack(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    public long capacity() {
        return capacity;
    }
}
