package dev.herald.socketio.engine;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The count of pending sessions (opened, not yet admitted by the application, not closed) per
 * client address and in total, and the bytes their handshakes keep; admits a new one only under
 * every cap. A session holds a {@link Ticket} while pending; releasing it (admitted, closed, or
 * its WebSocket handshake failed) gives its share back, once.
 *
 * <p>Refusals are counted by reason, and logged at most once per {@link #LOG_EVERY_NANOS} as one
 * WARN line with the count since the previous one (a flood must not flood the log).
 *
 * <p>Thread-safe: one lock around a few integer updates per handshake.
 */
final class PendingSessions {
    private static final Logger log = LoggerFactory.getLogger(PendingSessions.class);
    static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final int maxTotal;
    private final int maxPerAddress;
    private final long maxBytes;
    private final int maxHandshakeBytes;

    // Guarded by `this`.
    private final Map<Object, int[]> perAddress = new HashMap<>();
    private int total;
    private long bytes;

    private final Map<HandshakeRefusal, LongAdder> refused = new EnumMap<>(HandshakeRefusal.class);
    private final Map<HandshakeRefusal, AtomicLong> refusedSinceLog = new EnumMap<>(HandshakeRefusal.class);
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    PendingSessions(String name, EngineIoConfig config) {
        this.name = name;
        this.maxTotal = config.maxPendingSessions();
        this.maxPerAddress = config.maxPendingPerAddress();
        this.maxBytes = config.maxPendingBytes();
        this.maxHandshakeBytes = config.maxHandshakeBytes();
        for (HandshakeRefusal r : HandshakeRefusal.values()) {
            refused.put(r, new LongAdder());
            refusedSinceLog.put(r, new AtomicLong());
        }
    }

    /** A pending session's share of the counts. */
    final class Ticket {
        private final Object address;
        private final long size;
        private final AtomicBoolean released = new AtomicBoolean();

        private Ticket(Object address, long size) {
            this.address = address;
            this.size = size;
        }

        /** Gives the share back; only the first call counts. Any thread. */
        void release() {
            if (released.compareAndSet(false, true)) {
                PendingSessions.this.release(address, size);
            }
        }

        boolean isReleased() {
            return released.get();
        }
    }

    /** A ticket, or why not: exactly one of the two is set. */
    record Admission(Ticket ticket, HandshakeRefusal refusal) {
    }

    Admission tryAcquire(SocketAddress remote, long size) {
        HandshakeRefusal refusal;
        Object key = addressKey(remote);
        if (size > maxHandshakeBytes) {
            refusal = HandshakeRefusal.TOO_LARGE;
        } else {
            synchronized (this) {
                int[] n = perAddress.get(key);
                if (n != null && n[0] >= maxPerAddress) {
                    refusal = HandshakeRefusal.ADDRESS_LIMIT;
                } else if (total >= maxTotal || bytes + size > maxBytes) {
                    refusal = HandshakeRefusal.SERVER_LIMIT;
                } else {
                    if (n == null) {
                        perAddress.put(key, new int[] {1});
                    } else {
                        n[0]++;
                    }
                    total++;
                    bytes += size;
                    return new Admission(new Ticket(key, size), null);
                }
            }
        }
        countRefusal(refusal);
        return new Admission(null, refusal);
    }

    private synchronized void release(Object key, long size) {
        int[] n = perAddress.get(key);
        if (n != null && --n[0] <= 0) {
            perAddress.remove(key);
        }
        total--;
        bytes -= size;
    }

    synchronized int count() {
        return total;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int addresses() {
        return perAddress.size();
    }

    long refused(HandshakeRefusal reason) {
        return refused.get(reason).sum();
    }

    private void countRefusal(HandshakeRefusal reason) {
        refused.get(reason).increment();
        refusedSinceLog.get(reason).incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_EVERY_NANOS)) {
            long tooLarge = refusedSinceLog.get(HandshakeRefusal.TOO_LARGE).getAndSet(0);
            long address = refusedSinceLog.get(HandshakeRefusal.ADDRESS_LIMIT).getAndSet(0);
            long server = refusedSinceLog.get(HandshakeRefusal.SERVER_LIMIT).getAndSet(0);
            log.warn("Engine.IO {}: refused {} handshakes since the last report ({} over {} pending per address"
                            + " (429), {} over {} pending / {} bytes in total (503), {} larger than {} (431));"
                            + " pending now: {} sessions, {} bytes",
                    name, tooLarge + address + server, address, maxPerAddress, server, maxTotal, maxBytes,
                    tooLarge, maxHandshakeBytes, count(), bytes());
        }
    }

    /** The address a client is counted under: its IPv4 address, or the /64 of its IPv6 address. */
    static Object addressKey(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            InetAddress a = isa.getAddress();
            if (a instanceof Inet6Address) {
                return new Ipv6Prefix(Arrays.copyOf(a.getAddress(), 8));
            }
            return a;
        }
        return remote == null ? "unknown" : remote.toString();
    }

    private record Ipv6Prefix(byte[] prefix) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ipv6Prefix p && Arrays.equals(prefix, p.prefix);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(prefix);
        }
    }
}
