package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
}
