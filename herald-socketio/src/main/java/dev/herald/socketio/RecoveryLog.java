package dev.herald.socketio;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
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
 * <p>Threading: the session table is a concurrent map. The packet buffer is guarded by
 * {@code this}, held only to store an encoded packet, evict and scan, never around encoding or
 * I/O: {@link #append} takes its offset from an atomic counter and encodes with no lock held,
 * because encoding is most of an append's work and every event loop of a fanout appends to the
 * same log (the lock held around it was 39% of their samples). Appends so finish in any order;
 * the buffer keeps its entries in offset order, and a watermark ({@link #currentSeq}) tells up to
 * which offset every packet is stored. An offset above it may still be being encoded, so the
 * watermark, not the last offset handed out, is what a scan reports as collected
 * ({@link Restored#upToSeq}) and the bound up to which entries are evicted.
 */
final class RecoveryLog {
    record Entry(long seq, long timeMillis, Set<String> rooms, Set<String> except, EncodedPacket packet) {
    }

    record StoredSession(String sid, String pid, Set<String> rooms, Map<String, Object> data, long disconnectedAt,
                         long lastSeq) {
    }

    /**
     * @param missed       the packets to replay, in offset order
     * @param upToSeq      the watermark when they were collected: every packet up to it was stored
     *                     then, so those after the offset that target the rooms are in
     *                     {@code missed}
     * @param storedAbove  the offsets above {@code upToSeq} that were stored too (ahead of a slower
     *                     append): in {@code missed} as well when they follow the offset and target
     *                     the rooms. Any other offset above {@code upToSeq} was still being encoded
     *                     and is in neither.
     */
    record Restored(StoredSession session, List<EncodedPacket> missed, long upToSeq, Set<Long> storedAbove) {
        /** Whether the packet at {@code seq} was accounted for by this collection (replay it or not). */
        boolean covers(long seq) {
            return seq <= upToSeq || storedAbove.contains(seq);
        }
    }

    private final SocketIoConfig config;
    private final LongSupplier clock;
    private final String epoch;
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();
    /** How often at most {@link #persist} scans the session table for expired states. */
    static final long PURGE_INTERVAL_MILLIS = 1_000;
    /** When {@link #persist} scans next ({@link #clock} time). */
    private final AtomicLong nextPurgeAt = new AtomicLong(Long.MIN_VALUE);

    /** The last offset handed out by {@link #append}; its packet may not be stored yet. */
    private final AtomicLong lastReserved = new AtomicLong();

    // Guarded by this.
    /** Stored packets in offset order (not necessarily the order they were stored in). */
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    /** {@link #insertInOrder}'s room for the entries it moves aside; empty between calls. */
    private final ArrayDeque<Entry> movedAside = new ArrayDeque<>();
    private long bytes;
    /** The watermark: every offset up to it is stored, or was given up because its encoder threw. */
    private long storedUpTo;
    /** Offsets above {@link #storedUpTo} finished already (stored or given up), ahead of a slower one. */
    private final Set<Long> finishedAbove = new HashSet<>();
    /** Every offset up to it has left the buffer (never above {@link #storedUpTo}). */
    private long evictedUpTo;

    RecoveryLog(SocketIoConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        // Offsets from another server instance (or an earlier run) never match this epoch.
        this.epoch = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * Assigns the next offset, lets {@code encoder} build the packet with it (no lock held), and
     * keeps it. If the encoder throws, the exception propagates and the offset is given up: it
     * never had a packet, so it must not hold the watermark back.
     */
    EncodedPacket append(Set<String> rooms, Set<String> except, LongFunction<EncodedPacket> encoder) {
        long s = lastReserved.incrementAndGet();
        EncodedPacket packet;
        try {
            packet = encoder.apply(s);
        } catch (RuntimeException | Error e) {
            giveUp(s);
            throw e;
        }
        store(new Entry(s, clock.getAsLong(), rooms, except, packet));
        return packet;
    }

    private synchronized void store(Entry e) {
        insertInOrder(e);
        bytes += e.packet().size();
        finished(e.seq());
        evict(e.timeMillis());
    }

    private synchronized void giveUp(long s) {
        finished(s);
    }

    /** Usually at the tail; behind the entries of later offsets whose appends finished first. */
    private void insertInOrder(Entry e) {
        if (entries.isEmpty() || entries.peekLast().seq() < e.seq()) {
            entries.addLast(e);
            return;
        }
        // Two event loops appending at once put an entry behind the tail about every other
        // append in a fanout: the moved entries go through one deque kept for it, not a new one.
        while (!entries.isEmpty() && entries.peekLast().seq() > e.seq()) {
            movedAside.addFirst(entries.removeLast());
        }
        entries.addLast(e);
        while (!movedAside.isEmpty()) {
            entries.addLast(movedAside.removeFirst());
        }
    }

    /** Moves the watermark over {@code s} and over the offsets above it that finished first. */
    private void finished(long s) {
        if (s == storedUpTo + 1) {
            storedUpTo = s;
        } else {
            finishedAbove.add(s);
        }
        while (!finishedAbove.isEmpty() && finishedAbove.remove(storedUpTo + 1)) {
            storedUpTo++;
        }
    }

    /**
     * Drops the oldest entries beyond the bounds, but none above the watermark: then every offset
     * up to an evicted one has left too, as {@link #evictedUpTo} says. Entries stored ahead of a
     * slower append wait for it to finish, so the buffer may exceed its bounds by them meanwhile.
     */
    private void evict(long now) {
        long oldest = now - config.maxDisconnectionDuration().toMillis();
        Entry head;
        while ((head = entries.peekFirst()) != null && head.seq() <= storedUpTo
                && (entries.size() > config.replayMaxPackets() || bytes > config.replayMaxBytes()
                || head.timeMillis() < oldest)) {
            entries.removeFirst();
            bytes -= head.packet().size();
            evictedUpTo = head.seq();
        }
    }

    /** Offset {@code s} as a client sees it: {@code <epoch>-<s in hex>} (hex: the JDK writes it without a division per digit). */
    String offset(long s) {
        return epoch + "-" + Long.toHexString(s);
    }

    /**
     * The watermark: every packet up to it is stored. A socket keeps it from its connect as where a
     * recovery without an offset replays from. Not the last offset handed out: a packet given an
     * offset before the connect but stored after it reaches the socket live, and if the socket
     * drops before receiving it, it must be replayed.
     */
    synchronized long currentSeq() {
        return storedUpTo;
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
     * watermark at the moment it connected. Returns {@code null} when the session is unknown or
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
        synchronized (this) {
            // The offset may be above the watermark: the client got a packet stored ahead of a
            // slower append. Valid then too; the stored packets up to it count as received
            // (storedAbove), those still encoding are left to since() or to live delivery.
            if (evictedUpTo > from || from > lastReserved.get()) {
                return null;
            }
            return collect(s, from, Set.of(), s.rooms());
        }
    }

    /**
     * What {@code previous} did not account for: the packets stored since, after its watermark,
     * that target {@code rooms} ({@code null} if some were already evicted). Its
     * {@link Restored#covers} then tells which live packets the two collections replayed already.
     */
    synchronized Restored since(Restored previous, Set<String> rooms) {
        if (evictedUpTo > previous.upToSeq()) {
            return null;
        }
        return collect(previous.session(), previous.upToSeq(), previous.storedAbove(), rooms);
    }

    /**
     * The stored packets after {@code from} that target {@code rooms}, except the offsets in
     * {@code skip}; all of them, also those stored above the watermark: their broadcasts may have
     * picked their recipients before the socket joined, so nothing else would deliver them.
     */
    private Restored collect(StoredSession s, long from, Set<Long> skip, Set<String> rooms) {
        List<EncodedPacket> missed = new ArrayList<>();
        Set<Long> storedAbove = new HashSet<>();
        for (Entry e : entries) {
            if (e.seq() > storedUpTo) {
                storedAbove.add(e.seq());
            }
            if (e.seq() > from && !skip.contains(e.seq()) && targets(e, rooms)) {
                missed.add(e.packet());
            }
        }
        return new Restored(s, missed, storedUpTo, Set.copyOf(storedAbove));
    }

    private long parse(String offset) {
        int dash = offset.lastIndexOf('-');
        if (dash < 0 || !offset.substring(0, dash).equals(epoch)) {
            return -1;
        }
        try {
            return Long.parseLong(offset.substring(dash + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean targets(Entry e, Set<String> rooms) {
        boolean included = e.rooms().isEmpty() || !Collections.disjoint(e.rooms(), rooms);
        return included && Collections.disjoint(e.except(), rooms);
    }
}
