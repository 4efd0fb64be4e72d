package dev.herald.socketio;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Connection state recovery for one namespace (Socket.IO 4.6+ semantics): the recent broadcast
 * packets with their offsets, and the state of recently disconnected sockets keyed by their
 * private id ({@code pid}).
 *
 * <p>Bounded: at most {@code replayMaxPackets} packets and {@code replayMaxBytes} bytes, none older
 * than the recovery window; at most {@code maxRecoverableSessions} stored sessions. A client whose
 * offset fell out of the buffer is not recovered (it gets a fresh session, {@code recovered=false}),
 * so a recovery never silently skips packets.
 *
 * <p>Threading: the packet buffer is guarded by {@code this} (held only to append or scan, never
 * around I/O); the session table is a concurrent map.
 */
final class RecoveryLog {
    record Entry(long seq, long timeMillis, Set<String> rooms, Set<String> except, EncodedPacket packet) {
    }

    record StoredSession(String sid, String pid, Set<String> rooms, Map<String, Object> data, long disconnectedAt,
                         long lastSeq) {
    }

    /**
     * @param missed  the packets to replay, in order
     * @param upToSeq the log's sequence when they were collected: later broadcasts are not in
     *                {@code missed}
     */
    record Restored(StoredSession session, List<EncodedPacket> missed, long upToSeq) {
    }

    private final SocketIoConfig config;
    private final LongSupplier clock;
    private final String epoch;
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();
    /** How often at most {@link #persist} scans the session table for expired states. */
    static final long PURGE_INTERVAL_MILLIS = 1_000;
    /** When {@link #persist} scans next ({@link #clock} time). */
    private final AtomicLong nextPurgeAt = new AtomicLong(Long.MIN_VALUE);

    // Guarded by this.
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long bytes;
    private long seq;
    private long evictedUpTo;

    RecoveryLog(SocketIoConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        // Offsets from another server instance (or an earlier run) never match this epoch.
        this.epoch = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Assigns the next offset, lets {@code encoder} build the packet with it, and keeps it. */
    synchronized EncodedPacket append(Set<String> rooms, Set<String> except, LongFunction<EncodedPacket> encoder) {
        long s = ++seq;
        EncodedPacket packet = encoder.apply(s);
        long now = clock.getAsLong();
        entries.addLast(new Entry(s, now, rooms, except, packet));
        bytes += packet.size();
        long oldest = now - config.maxDisconnectionDuration().toMillis();
        while (!entries.isEmpty() && (entries.size() > config.replayMaxPackets() || bytes > config.replayMaxBytes()
                || entries.peekFirst().timeMillis() < oldest)) {
            Entry e = entries.removeFirst();
            bytes -= e.packet().size();
            evictedUpTo = e.seq();
        }
        return packet;
    }

    String offset(long s) {
        return epoch + "-" + Long.toString(s, 36);
    }

    synchronized long currentSeq() {
        return seq;
    }

    synchronized int bufferedPackets() {
        return entries.size();
    }

    int storedSessions() {
        return sessions.size();
    }

    /**
     * Keeps a disconnected socket's state for {@link #restore}, unless {@code maxRecoverableSessions}
     * are kept already. Expired states are dropped here, by a scan of the table at most once per
     * {@link #PURGE_INTERVAL_MILLIS}: a scan per disconnect made a mass disconnect quadratic (2.8% of
     * a Socket.IO fanout's loop time in the scan alone, 19,500 sockets closing together). Until the
     * next scan an expired state may take a place; {@link #restore} never returns one.
     */
    void persist(StoredSession s) {
        long now = clock.getAsLong();
        long due = nextPurgeAt.get();
        if (now >= due && nextPurgeAt.compareAndSet(due, now + PURGE_INTERVAL_MILLIS)) {
            long window = config.maxDisconnectionDuration().toMillis();
            sessions.values().removeIf(x -> x.disconnectedAt() + window < now);
        }
        if (sessions.size() < config.maxRecoverableSessions()) {
            sessions.put(s.pid(), s);
        }
    }

    /**
     * Takes the stored session for {@code pid} and the packets it missed: those after
     * {@code offset}, or, when the client saw no broadcast yet (no offset), those after the
     * sequence at the moment it connected. Returns {@code null} when the session is unknown or
     * expired, or the offset is foreign or no longer fully buffered.
     */
    Restored restore(String pid, String offset) {
        StoredSession s = sessions.remove(pid);
        if (s == null || s.disconnectedAt() + config.maxDisconnectionDuration().toMillis() < clock.getAsLong()) {
            return null;
        }
        long from = offset == null ? s.lastSeq() : parse(offset);
        if (from < 0) {
            return null;
        }
        List<EncodedPacket> missed = new ArrayList<>();
        synchronized (this) {
            if (evictedUpTo > from || from > seq) {
                return null;
            }
            for (Entry e : entries) {
                if (e.seq() > from && targets(e, s.rooms())) {
                    missed.add(e.packet());
                }
            }
            return new Restored(s, missed, seq);
        }
    }

    /**
     * Packets after {@code fromSeq} targeting {@code rooms}, collected up to the current sequence
     * (returned in {@code upToSeq}); {@code null} if some were already evicted.
     */
    synchronized Restored since(StoredSession s, long fromSeq, Set<String> rooms) {
        if (evictedUpTo > fromSeq) {
            return null;
        }
        List<EncodedPacket> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.seq() > fromSeq && targets(e, rooms)) {
                out.add(e.packet());
            }
        }
        return new Restored(s, out, seq);
    }

    private long parse(String offset) {
        int dash = offset.lastIndexOf('-');
        if (dash < 0 || !offset.substring(0, dash).equals(epoch)) {
            return -1;
        }
        try {
            return Long.parseLong(offset.substring(dash + 1), 36);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean targets(Entry e, Set<String> rooms) {
        boolean included = e.rooms().isEmpty() || !Collections.disjoint(e.rooms(), rooms);
        return included && Collections.disjoint(e.except(), rooms);
    }
}
