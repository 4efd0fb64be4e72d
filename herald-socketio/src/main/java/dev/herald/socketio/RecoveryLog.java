package dev.herald.socketio;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Connection state recovery for one namespace (Socket.IO 4.6+ semantics): the recent broadcast
 * packets with their offsets, and the state of recently disconnected sockets keyed by their
 * private id ({@code pid}).
 *
 * <p>Bounded: the packet caps ({@code replayMaxPackets} packets, {@code replayMaxBytes} bytes) are
 * split evenly among the shards in use (below). A shard trims itself to its share, and drops
 * packets older than the recovery window, whenever it appends; an append also trims the other
 * shards, at most once per {@link #TRIM_INTERVAL_MILLIS}, so that a shard whose thread stopped
 * appending does not keep a larger share from before another thread started (a share only
 * shrinks then), nor packets past the window. So the shards together stay within the caps, but
 * for up to that interval after a thread starts appending. At most
 * {@code maxRecoverableSessions} stored sessions. A client whose offset fell out of the buffer is
 * not recovered (it gets a fresh session, {@code recovered=false}), so a recovery never silently
 * skips packets.
 *
 * <p>Threading: the packets are kept in shards, one per appending platform thread (an event loop,
 * usually: a server delivering to thousands of sockets appends a packet per socket on each
 * socket's own loop), up to {@link #MAX_SHARDS}, beyond which they share; virtual threads share
 * one. An append takes its shard's lock, takes the next offset from a counter shared by all
 * shards, encodes the packet and keeps it, so a shard holds its packets in offset order and
 * nothing another shard does waits for it: a single log that every loop appended to under one
 * lock was a third of their samples in a Socket.IO fanout, first the lock held around encoding,
 * then the upkeep of packets stored out of offset order by appends racing outside it
 * (docs/benchmarks.md, issue 13, item 36). A scan ({@link #restore}, {@link #since}) and
 * {@link #currentSeq} take every shard's lock, in order: then no append is half done, so every
 * offset handed out so far is stored (or was given up because its encoder threw), and a scan sees
 * all of them. An encoder must not append to the log it is encoding for.
 *
 * <p>A client's offset says it received every packet up to it. Packets for one socket appended
 * by one thread reach it in offset order; packets appended by different threads (a room
 * broadcast from another socket's handler beside the socket's own events) may reach it in
 * another order, and one below the offset that the client never received is not replayed. The
 * offsets of Socket.IO's own server, on one thread, are always in order.
 */
final class RecoveryLog {
    /**
     * Shards at most: one shared by all virtual threads, the others one per platform thread (a
     * server's event loops); more platform threads share them.
     */
    static final int MAX_SHARDS = 16;

    /** A kept packet; its size is copied here so that eviction reads only the entry, not the packet. */
    record Entry(long seq, long timeMillis, int size, Set<String> rooms, Set<String> except, EncodedPacket packet) {
    }

    record StoredSession(String sid, String pid, Set<String> rooms, Map<String, Object> data, long disconnectedAt,
                         long lastSeq) {
    }

    /**
     * @param missed  the packets to replay, in offset order
     * @param upToSeq every packet up to it was stored when they were collected, so those after the
     *                offset that target the rooms are in {@code missed}
     */
    record Restored(StoredSession session, List<EncodedPacket> missed, long upToSeq) {
        /** Whether the packet at {@code seq} was accounted for by this collection (replay it or not). */
        boolean covers(long seq) {
            return seq <= upToSeq;
        }
    }

    /** One appending thread's packets, in offset order. Guarded by {@link #lock}. */
    private static final class Shard {
        final ReentrantLock lock = new ReentrantLock();
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        final AtomicBoolean used = new AtomicBoolean();
        long bytes;
        /** The highest offset this shard evicted: a scan from below it would miss a packet. */
        long evictedUpTo;
    }

    private final SocketIoConfig config;
    private final LongSupplier clock;
    private final String epoch;
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();
    /** How often at most {@link #persist} scans the session table for expired states. */
    static final long PURGE_INTERVAL_MILLIS = 1_000;
    /** How often at most an append trims the other shards ({@link #trimOtherShards}). */
    static final long TRIM_INTERVAL_MILLIS = 1_000;
    /** When an append trims the other shards next ({@link #clock} time). */
    private final AtomicLong nextTrimAt = new AtomicLong(Long.MIN_VALUE);
    /** When {@link #persist} scans next ({@link #clock} time). */
    private final AtomicLong nextPurgeAt = new AtomicLong(Long.MIN_VALUE);

    /** The last offset handed out; taken under a shard's lock. */
    private final AtomicLong lastReserved = new AtomicLong();
    /** Shard 0 is shared by virtual threads; each platform thread gets one of the others. */
    private final Shard[] shards = new Shard[MAX_SHARDS];
    private final AtomicInteger platformThreadsSeen = new AtomicInteger();
    /** Shards given to a thread so far: the caps are split among them. */
    private final AtomicInteger shardsInUse = new AtomicInteger();
    private final ThreadLocal<Shard> shardOfThread = ThreadLocal.withInitial(this::assignShard);

    RecoveryLog(SocketIoConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard();
        }
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        // Offsets from another server instance (or an earlier run) never match this epoch.
        this.epoch = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private Shard assignShard() {
        Shard shard = Thread.currentThread().isVirtual() ? shards[0]
                : shards[1 + platformThreadsSeen.getAndIncrement() % (MAX_SHARDS - 1)];
        if (shard.used.compareAndSet(false, true)) {
            shardsInUse.incrementAndGet();
        }
        return shard;
    }

    /**
     * Assigns the next offset, lets {@code encoder} build the packet with it, and keeps it. If the
     * encoder throws, the exception propagates and the offset is given up: it never had a packet.
     *
     * @throws IllegalStateException if called from within an encoder of this log
     */
    EncodedPacket append(Set<String> rooms, Set<String> except, LongFunction<EncodedPacket> encoder) {
        Shard shard = shardOfThread.get();
        if (shard.lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("an encoder appended to the recovery log it encodes for");
        }
        EncodedPacket packet;
        long now;
        shard.lock.lock();
        try {
            long s = lastReserved.incrementAndGet();
            packet = encoder.apply(s);
            now = clock.getAsLong();
            shard.entries.addLast(new Entry(s, now, packet.size(), rooms, except, packet));
            shard.bytes += packet.size();
            evict(shard, now);
        } finally {
            shard.lock.unlock();
        }
        trimOtherShards(shard, now);
        return packet;
    }

    /**
     * Trims every other shard to its share and the window, at most once per
     * {@link #TRIM_INTERVAL_MILLIS}; a shard busy appending is skipped, as it trims itself.
     */
    private void trimOtherShards(Shard mine, long now) {
        long due = nextTrimAt.get();
        if (now < due || !nextTrimAt.compareAndSet(due, now + TRIM_INTERVAL_MILLIS)) {
            return;
        }
        for (Shard other : shards) {
            if (other != mine && other.lock.tryLock()) {
                try {
                    evict(other, now);
                } finally {
                    other.lock.unlock();
                }
            }
        }
    }

    /** Drops the shard's oldest entries beyond its share of the caps or older than the window. */
    private void evict(Shard shard, long now) {
        int inUse = shardsInUse.get();
        long maxPackets = Math.max(1, config.replayMaxPackets() / inUse);
        long maxBytes = Math.max(1, config.replayMaxBytes() / inUse);
        long oldest = now - config.maxDisconnectionDuration().toMillis();
        Entry head;
        while ((head = shard.entries.peekFirst()) != null
                && (shard.entries.size() > maxPackets || shard.bytes > maxBytes || head.timeMillis() < oldest)) {
            shard.entries.removeFirst();
            shard.bytes -= head.size();
            shard.evictedUpTo = head.seq();
        }
    }

    /** Offset {@code s} as a client sees it: {@code <epoch>-<s in hex>} (hex: the JDK writes it without a division per digit). */
    String offset(long s) {
        return epoch + "-" + Long.toHexString(s);
    }

    /**
     * Every packet up to it is stored. A socket keeps it from its connect as where a recovery
     * without an offset replays from. Waits for appends under way, so that a packet given an
     * offset before the connect but stored after it is not counted as seen: it reaches the socket
     * live, and if the socket drops before receiving it, it is replayed.
     */
    long currentSeq() {
        lockAll();
        try {
            return lastReserved.get();
        } finally {
            unlockAll();
        }
    }

    int bufferedPackets() {
        lockAll();
        try {
            int n = 0;
            for (Shard shard : shards) {
                n += shard.entries.size();
            }
            return n;
        } finally {
            unlockAll();
        }
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
     * {@code offset}, or, when the client saw no broadcast yet (no offset), those after
     * {@link #currentSeq} at the moment it connected. Returns {@code null} when the session is
     * unknown or expired, or the offset is foreign, not handed out yet, or no longer fully
     * buffered.
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
        return collect(s, from, s.rooms());
    }

    /**
     * What {@code previous} did not account for: the packets stored since that target
     * {@code rooms} ({@code null} if some were already evicted). Its {@link Restored#covers} then
     * tells which live packets the two collections replayed already.
     */
    Restored since(Restored previous, Set<String> rooms) {
        return collect(previous.session(), previous.upToSeq(), rooms);
    }

    /** The stored packets after {@code from} that target {@code rooms}; null if any was evicted. */
    private Restored collect(StoredSession s, long from, Set<String> rooms) {
        lockAll();
        try {
            long upTo = lastReserved.get();
            if (from > upTo) {
                return null;
            }
            List<Entry> missed = new ArrayList<>();
            for (Shard shard : shards) {
                if (shard.evictedUpTo > from) {
                    return null;
                }
                // Each shard is in offset order: only its tail after the offset is read.
                var it = shard.entries.descendingIterator();
                while (it.hasNext()) {
                    Entry e = it.next();
                    if (e.seq() <= from) {
                        break;
                    }
                    if (targets(e, rooms)) {
                        missed.add(e);
                    }
                }
            }
            missed.sort(Comparator.comparingLong(Entry::seq));
            return new Restored(s, missed.stream().map(Entry::packet).toList(), upTo);
        } finally {
            unlockAll();
        }
    }

    private void lockAll() {
        for (Shard shard : shards) {
            shard.lock.lock();
        }
    }

    private void unlockAll() {
        for (int i = shards.length - 1; i >= 0; i--) {
            shards[i].lock.unlock();
        }
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
