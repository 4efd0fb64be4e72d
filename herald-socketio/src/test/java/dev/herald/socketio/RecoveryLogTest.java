package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RecoveryLogTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final SocketIoConfig config = SocketIoConfig.defaults().withRecovery(Duration.ofMinutes(2))
            .withReplayCaps(5, 10_000);
    private final RecoveryLog log = new RecoveryLog(config, now::get);

    private String broadcast(Set<String> rooms, Set<String> except, String text) {
        String[] offset = new String[1];
        log.append(rooms, except, seq -> {
            offset[0] = log.offset(seq);
            return EncodedPacket.of(text, List.of());
        });
        return offset[0];
    }

    private void disconnected(String pid, Set<String> rooms, long seqAtConnect) {
        log.persist(new RecoveryLog.StoredSession("sid-" + pid, pid, rooms, Map.of("k", "v"), now.get(),
                seqAtConnect));
    }

    private static List<String> texts(RecoveryLog.Restored r) {
        return r.missed().stream().map(p -> p.enginePackets().get(0).text()).toList();
    }

    @Test
    void replaysOnlyPacketsAfterTheOffsetThatTargetTheSocketsRooms() {
        String first = broadcast(Set.of(), Set.of(), "all-1");
        broadcast(Set.of("a"), Set.of(), "a-2");
        broadcast(Set.of("b"), Set.of(), "b-3");
        broadcast(Set.of(), Set.of("a"), "all-but-a-4");
        broadcast(Set.of("a", "b"), Set.of(), "a-or-b-5");
        disconnected("p1", Set.of("sid-p1", "a"), 0);
        RecoveryLog.Restored r = log.restore("p1", first);
        assertThat(r.session().sid()).isEqualTo("sid-p1");
        assertThat(r.session().data()).containsEntry("k", "v");
        assertThat(texts(r)).containsExactly("a-2", "a-or-b-5");
    }

    @Test
    void withoutAnOffsetReplaysEverythingSinceTheSocketConnected() {
        broadcast(Set.of(), Set.of(), "before");
        long atConnect = log.currentSeq();
        broadcast(Set.of(), Set.of(), "after-1");
        broadcast(Set.of(), Set.of(), "after-2");
        disconnected("p1", Set.of("sid-p1"), atConnect);
        assertThat(texts(log.restore("p1", null))).containsExactly("after-1", "after-2");
    }

    @Test
    void refusesWhenTheOffsetFellOutOfTheBoundedBuffer() {
        String first = broadcast(Set.of(), Set.of(), "m0");
        for (int i = 1; i <= 6; i++) {
            broadcast(Set.of(), Set.of(), "m" + i);
        }
        assertThat(log.bufferedPackets()).isEqualTo(5);
        disconnected("p1", Set.of("sid-p1"), 0);
        assertThat(log.restore("p1", first)).as("packets after the offset were evicted").isNull();
    }

    @Test
    void evictsByBytesToo() {
        RecoveryLog small = new RecoveryLog(SocketIoConfig.defaults().withRecovery(Duration.ofMinutes(2))
                .withReplayCaps(1000, 100), now::get);
        for (int i = 0; i < 10; i++) {
            small.append(Set.of(), Set.of(), seq -> EncodedPacket.of("x".repeat(30), List.of()));
        }
        assertThat(small.bufferedPackets()).isEqualTo(3);
    }

    @Test
    void refusesAfterTheWindowAndForUnknownPidsAndForeignOffsets() {
        String offset = broadcast(Set.of(), Set.of(), "m");
        disconnected("p1", Set.of("sid-p1"), 0);
        disconnected("p2", Set.of("sid-p2"), 0);
        assertThat(log.restore("nobody", offset)).isNull();
        assertThat(log.restore("p2", "otherEpoch-1")).isNull();
        now.addAndGet(Duration.ofMinutes(2).toMillis() + 1);
        assertThat(log.restore("p1", offset)).isNull();
    }

    @Test
    void aSessionIsRestoredAtMostOnce() {
        String offset = broadcast(Set.of(), Set.of(), "m");
        disconnected("p1", Set.of("sid-p1"), 0);
        assertThat(log.restore("p1", offset)).isNotNull();
        assertThat(log.restore("p1", offset)).isNull();
    }

    @Test
    void aFullTableTakesNewSessionsAgainOnceItsExpiredOnesArePurged() {
        RecoveryLog two = new RecoveryLog(new SocketIoConfig(config.engine(), config.connectTimeout(), true,
                config.maxDisconnectionDuration(), config.replayMaxPackets(), config.replayMaxBytes(), 2), now::get);
        for (String pid : List.of("a", "b", "c")) {
            two.persist(new RecoveryLog.StoredSession("sid-" + pid, pid, Set.of(), Map.of(), now.get(), 0));
        }
        assertThat(two.storedSessions()).as("capped").isEqualTo(2);
        assertThat(two.restore("c", null)).isNull();

        now.addAndGet(Duration.ofMinutes(2).toMillis() + RecoveryLog.PURGE_INTERVAL_MILLIS + 1);
        two.persist(new RecoveryLog.StoredSession("sid-d", "d", Set.of(), Map.of(), now.get(), 0));
        assertThat(two.storedSessions()).isEqualTo(1);
        assertThat(two.restore("d", null)).isNotNull();
        assertThat(two.restore("a", null)).isNull();
    }

    @Test
    void anExpiredSessionIsNeverRestoredEvenBeforeThePurge() {
        disconnected("p1", Set.of("sid-p1"), 0);           // this scan is due: the next is a second later
        now.addAndGet(Duration.ofMinutes(2).toMillis() + 1);
        assertThat(log.restore("p1", null)).isNull();
    }

    @Test
    void dropsExpiredSessionsWhenStoringNewOnes() {
        disconnected("old", Set.of(), 0);
        now.addAndGet(Duration.ofMinutes(3).toMillis());
        disconnected("new", Set.of(), 0);
        assertThat(log.storedSessions()).isEqualTo(1);
    }

    // Appends encode with no lock held, so they store their packets in any order.

    /**
     * An append of {@code text} on a thread of its own whose encoder, once it has its offset,
     * waits for {@link #finish}: its offset is taken and its packet not stored meanwhile.
     */
    private final class SlowAppend {
        final CountDownLatch encoding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        /** Starts the append and returns once its encoder runs. */
        SlowAppend(String text) throws InterruptedException {
            thread = new Thread(() -> {
                try {
                    log.append(Set.of(), Set.of(), seq -> {
                        encoding.countDown();
                        try {
                            if (!release.await(10, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("never released");
                            }
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return EncodedPacket.of(text, List.of(), seq);
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "slow-append");
            thread.start();
            awaitOrFail(encoding);
        }

        /** Lets the encoder return and waits until the packet is stored. */
        void finish() throws InterruptedException {
            release.countDown();
            joinOrFail(thread);
            assertThat(failure.get()).isNull();
        }
    }

    private static void awaitOrFail(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(10, TimeUnit.SECONDS)).as("waited for " + latch).isTrue();
    }

    private static void joinOrFail(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
    }

    private static List<Long> seqs(RecoveryLog.Restored r) {
        return r.missed().stream().map(EncodedPacket::seq).toList();
    }

    @Test
    void scansReportTheWatermarkBelowAnOffsetStillBeingEncoded() throws Exception {
        broadcast(Set.of(), Set.of(), "m1");
        SlowAppend slow = new SlowAppend("m2");             // offset 2 is taken, its packet not stored
        RecoveryLog.Restored r;
        try {
            String third = broadcast(Set.of(), Set.of(), "m3");
            assertThat(third).endsWith("-3");
            assertThat(log.currentSeq()).as("watermark held below offset 2").isEqualTo(1);

            disconnected("p1", Set.of("sid-p1"), 1);
            r = log.restore("p1", null);
            assertThat(r.upToSeq()).isEqualTo(1);
            // Offset 3 is replayed already: its broadcast may have picked its recipients before
            // the socket joined. Offset 2 is not accounted for, so a live copy is not a duplicate.
            assertThat(texts(r)).containsExactly("m3");
            assertThat(r.covers(2)).isFalse();
            assertThat(r.covers(3)).isTrue();
            RecoveryLog.Restored meanwhile = log.since(r, Set.of("sid-p1"));
            assertThat(meanwhile.upToSeq()).isEqualTo(1);
            assertThat(texts(meanwhile)).isEmpty();
        } finally {
            slow.finish();
        }
        assertThat(log.currentSeq()).isEqualTo(3);

        RecoveryLog.Restored extra = log.since(r, Set.of("sid-p1"));
        assertThat(texts(extra)).as("m2 now, m3 not again").containsExactly("m2");
        assertThat(extra.upToSeq()).isEqualTo(3);
        RecoveryLog.Restored fromOne = new RecoveryLog.Restored(null, List.of(), 1, Set.of());
        assertThat(texts(log.since(fromOne, Set.of()))).as("offset order, not storing order")
                .containsExactly("m2", "m3");
    }

    @Test
    void anOffsetAboveTheWatermarkIsRestoredAndTheSlowerPacketStillComes() throws Exception {
        broadcast(Set.of(), Set.of(), "m1");
        SlowAppend slow = new SlowAppend("m2");
        RecoveryLog.Restored r;
        try {
            String third = broadcast(Set.of(), Set.of(), "m3");   // delivered to the client first
            broadcast(Set.of(), Set.of(), "m4");
            disconnected("p1", Set.of("sid-p1"), 0);
            disconnected("p2", Set.of("sid-p2"), 0);
            assertThat(log.restore("p2", log.offset(5))).as("an offset not handed out yet").isNull();
            r = log.restore("p1", third);
            assertThat(r).as("a valid offset, only ahead of the watermark").isNotNull();
            assertThat(texts(r)).containsExactly("m4");
            assertThat(r.upToSeq()).isEqualTo(1);
        } finally {
            slow.finish();
        }
        RecoveryLog.Restored extra = log.since(r, Set.of("sid-p1"));
        assertThat(texts(extra)).as("neither the client's m3 nor the replayed m4 again; m2 not skipped")
                .containsExactly("m2");
        assertThat(LongStream.rangeClosed(1, 4).allMatch(extra::covers)).isTrue();
    }

    @Test
    void outOfOrderStoresKeepOffsetOrderAndEvictionTheOldestFirst() {
        // An encoder may append itself (no lock is held): the inner packet is stored first.
        log.append(Set.of(), Set.of(), seq -> {
            broadcast(Set.of(), Set.of(), "m2");
            return EncodedPacket.of("m1", List.of(), seq);
        });
        for (int i = 3; i <= 6; i++) {
            broadcast(Set.of(), Set.of(), "m" + i);
        }
        assertThat(log.bufferedPackets()).isEqualTo(5);
        disconnected("p0", Set.of("sid-p0"), 0);
        assertThat(log.restore("p0", null)).as("m1, the oldest offset, was evicted").isNull();
        disconnected("p1", Set.of("sid-p1"), 1);
        assertThat(texts(log.restore("p1", null))).containsExactly("m2", "m3", "m4", "m5", "m6");
    }

    @Test
    void entriesStoredAheadOfASlowerAppendAreNotEvictedBeforeIt() {
        RecoveryLog two = new RecoveryLog(SocketIoConfig.defaults().withRecovery(Duration.ofMinutes(2))
                .withReplayCaps(2, 10_000), now::get);
        two.append(Set.of(), Set.of(), seq -> {
            for (int i = 2; i <= 4; i++) {
                String text = "m" + i;
                two.append(Set.of(), Set.of(), s -> EncodedPacket.of(text, List.of(), s));
            }
            assertThat(two.bufferedPackets()).as("over the cap, but offset 1 is not stored yet").isEqualTo(3);
            return EncodedPacket.of("m1", List.of(), seq);
        });
        assertThat(two.bufferedPackets()).isEqualTo(2);
        assertThat(two.currentSeq()).isEqualTo(4);
        two.persist(new RecoveryLog.StoredSession("sid-a", "a", Set.of(), Map.of(), now.get(), 1));
        two.persist(new RecoveryLog.StoredSession("sid-b", "b", Set.of(), Map.of(), now.get(), 2));
        assertThat(two.restore("a", null)).as("m2 is gone").isNull();
        assertThat(texts(two.restore("b", null))).containsExactly("m3", "m4");
    }

    @Test
    void anEncoderThatThrowsLeavesAHoleThatDoesNotHoldTheWatermark() {
        broadcast(Set.of(), Set.of(), "m1");
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> log.append(Set.of(), Set.of(), seq -> {
            throw boom;
        })).isSameAs(boom);
        assertThat(log.currentSeq()).isEqualTo(2);
        // A later offset stored while a lower one fails.
        assertThatThrownBy(() -> log.append(Set.of(), Set.of(), seq -> {
            broadcast(Set.of(), Set.of(), "m4");
            throw boom;
        })).isSameAs(boom);
        assertThat(log.currentSeq()).isEqualTo(4);
        broadcast(Set.of(), Set.of(), "m5");
        assertThat(log.currentSeq()).isEqualTo(5);
        disconnected("p1", Set.of("sid-p1"), 1);
        RecoveryLog.Restored r = log.restore("p1", null);
        assertThat(texts(r)).containsExactly("m4", "m5");
        assertThat(r.upToSeq()).isEqualTo(5);
    }

    @Test
    void concurrentAppendsGetUniqueOffsetsKeptInOrderUnderAContiguousWatermark() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        int cap = 1_000;
        RecoveryLog shared = new RecoveryLog(SocketIoConfig.defaults().withRecovery(Duration.ofMinutes(2))
                .withReplayCaps(cap, 100_000_000), now::get);
        List<List<Long>> returned = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                List<Long> mine = new ArrayList<>(perThread);
                try {
                    awaitOrFail(start);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(shared.append(Set.of(), Set.of(), seq -> {
                            if (seq % 7 == 0) {
                                Thread.yield();                   // let later offsets overtake
                            }
                            return EncodedPacket.of("m" + seq, List.of(), seq);
                        }).seq());
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                returned.add(mine);
            }, "writer-" + t);
            w.start();
            writers.add(w);
        }
        int scans = 0;
        start.countDown();
        for (int i = 0; i < 500 && writers.stream().anyMatch(Thread::isAlive); i++) {
            scans += checkScan(shared, cap) ? 1 : 0;
        }
        for (Thread w : writers) {
            joinOrFail(w);
        }
        assertThat(failure.get()).isNull();
        scans += checkScan(shared, cap) ? 1 : 0;
        assertThat(scans).isPositive();

        long total = (long) threads * perThread;
        List<Long> all = returned.stream().flatMap(List::stream).sorted().toList();
        assertThat(all).as("every offset handed out once")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(shared.currentSeq()).isEqualTo(total);
        assertThat(shared.bufferedPackets()).isEqualTo(cap);
        RecoveryLog.Restored tail = shared.since(new RecoveryLog.Restored(null, List.of(), total - cap, Set.of()),
                Set.of());
        assertThat(seqs(tail)).containsExactlyElementsOf(LongStream.rangeClosed(total - cap + 1, total).boxed().toList());
    }

    /**
     * A scan from a little below the watermark: strictly increasing offsets, and every offset up to
     * the reported watermark present. False if it was refused (evicted meanwhile).
     */
    private static boolean checkScan(RecoveryLog log, int cap) {
        long from = Math.max(0, log.currentSeq() - cap / 4);
        RecoveryLog.Restored r = log.since(new RecoveryLog.Restored(null, List.of(), from, Set.of()), Set.of());
        if (r == null) {
            return false;
        }
        List<Long> got = seqs(r);
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i)).as("offset order").isGreaterThan(got.get(i - 1));
        }
        assertThat(r.upToSeq()).isGreaterThanOrEqualTo(from);
        assertThat(got).as("all stored up to the watermark")
                .containsAll(LongStream.rangeClosed(from + 1, r.upToSeq()).boxed().toList());
        return true;
    }
}
