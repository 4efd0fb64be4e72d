package dev.herald.server.transport.http;

/**
 * The bytes of request bodies a node holds while receiving them, all connections together, before
 * any of them is authenticated: each connection is capped by {@code --max-http-body-bytes}, and
 * this caps their sum, so that many connections sending large bodies slowly cannot fill memory.
 * Thread-safe (taken and given back from every event loop).
 */
public final class BodyBudget {
    private final long capacity;
    private final java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();

    public BodyBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * The default: a quarter of the maximum heap (Netty's direct memory defaults to the same
     * size), so that bodies in flight can never take more than a quarter of either.
     */
    public static BodyBudget ofHeap() {
        return new BodyBudget(Math.max(16L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4));
    }

    /** Takes {@code bytes}; false (and nothing taken) when that would pass the capacity. */
    boolean take(long bytes) {
        long after = used.addAndGet(bytes);
        if (after > capacity) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void giveBack(long bytes) {
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
