package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.ChatStoreBusyException;
import dev.herald.server.chat.ConversationKind;
import dev.herald.server.chat.NewMessage;
import dev.herald.server.chat.SendResult;
import dev.herald.server.store.jdbc.GroupCommitWriter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Chat sends through the group commit, on H2 and PostgreSQL: gap-free seqs and exactly-once
 * answers under concurrency, one batch per queue of waiting sends, a non-member that fails alone,
 * a client id race lost to another node, and chat's answer to a full queue. The writer's own
 * guarantees (order, groups, caps, close) are tested once, in {@code GroupCommitWriterTest}.
 *
 * <p>To make sends wait together deterministically, a test holds a conversation row's lock from
 * its own transaction ({@link Blocker}); the writer's batch touching that conversation waits, the
 * next sends queue up behind it, and they all go in the next batch once the lock is released.
 */
abstract class ChatWriterContract {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    protected abstract DataSource dataSource();

    /** SQL that counts the sessions waiting for a lock held by the session running it. */
    protected abstract String sessionsBlockedByMe();

    private static String user(String name) {
        return name + "-w" + NEXT.incrementAndGet();
    }

    private long group(String... members) {
        return new JdbcChatStore(dataSource()).create(ConversationKind.GROUP, null, members[0], List.of(members))
                .conversation().id();
    }

    private static NewMessage msg(long conv, String sender, String clientId, String content) {
        return new NewMessage(conv, sender, sender, clientId, "text_message", content);
    }

    private static final Consumer<ChatMessage> NOBODY = m -> { };

    /** A writer with these caps and no delay cap to speak of. */
    private JdbcChatStore writer(int maxQueued, long maxQueuedBytes) {
        return new JdbcChatStore(dataSource(), new GroupCommitWriter.Limits(maxQueued, maxQueuedBytes, Duration.ofHours(1)));
    }

    /** A transaction of its own that holds conversation rows' locks until released. */
    private final class Blocker implements AutoCloseable {
        final Connection c;
        boolean closed;

        Blocker() throws SQLException {
            c = dataSource().getConnection();
            c.setAutoCommit(false);
        }

        Blocker lock(long conversationId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE chat_conversations SET last_activity_at = last_activity_at WHERE id = ?")) {
                ps.setLong(1, conversationId);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            return this;
        }

        /** Another node's send of the same client id, not yet committed. */
        void storeUncommitted(long conversationId, String sender, String clientId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE chat_conversations SET last_seq = last_seq + 1 WHERE id = ?")) {
                ps.setLong(1, conversationId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat_messages (conversation_id, seq, sender_id,"
                    + " sender_name, client_id, message_type, content, created_at)"
                    + " SELECT id, last_seq, ?, ?, ?, 'text_message', 'from the other node', ? FROM chat_conversations"
                    + " WHERE id = ?")) {
                ps.setString(1, sender);
                ps.setString(2, sender);
                ps.setString(3, clientId);
                ps.setObject(4, Sql.ts(Sql.now()));
                ps.setLong(5, conversationId);
                ps.executeUpdate();
            }
        }

        /** Waits until a session (the writer) waits for one of our locks. */
        void awaitSomeoneWaiting() {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
                try (PreparedStatement ps = c.prepareStatement(sessionsBlockedByMe());
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            });
        }

        void commit() throws SQLException {
            c.commit();
        }

        /** Rolls back what is still open and gives the connection back. Idempotent. */
        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                c.rollback();
                c.setAutoCommit(true);
            } finally {
                c.close();
            }
        }
    }

    private static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void manyConcurrentSendsGetGapFreeSeqsPerConversationOneAnswerEachAndRetriesReplay() throws Exception {
        concurrentSends(1);
    }

    @Test
    void withTwoLanesEachConversationStillGetsGapFreeSeqsAndCallbacksInSeqOrder() throws Exception {
        concurrentSends(2);
    }

    /** 600 sends and 200 retries to 4 conversations from as many threads, through {@code lanes} writers. */
    private void concurrentSends(int lanes) throws Exception {
        String[] users = {user("a"), user("b"), user("c")};
        long[] conversations = new long[4];
        for (int i = 0; i < conversations.length; i++) {
            conversations[i] = group(users);
        }
        record Send(long conv, String sender, String clientId) {
        }
        // 600 distinct messages (every fourth without a client id), and 200 retries of client ids
        // sent at the same time as their original.
        Random random = new Random(11);
        List<Send> sends = new ArrayList<>();
        List<Send> withIds = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Send s = new Send(conversations[random.nextInt(conversations.length)], users[random.nextInt(users.length)],
                    i % 4 == 0 ? null : "m" + i);
            sends.add(s);
            if (s.clientId() != null) {
                withIds.add(s);
            }
        }
        for (int i = 0; i < 200; i++) {
            sends.add(withIds.get(random.nextInt(withIds.size())));
        }
        java.util.Collections.shuffle(sends, random);

        Map<Long, ConcurrentLinkedQueue<Long>> callbacks = new ConcurrentHashMap<>();
        JdbcChatStore writer = new JdbcChatStore(dataSource(), lanes,
                new GroupCommitWriter.Limits(10_000, 64L << 20, Duration.ofHours(1)));
        List<Future<Optional<SendResult>>> answers = new ArrayList<>();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Send s : sends) {
                answers.add(senders.submit(() -> writer.submit(msg(s.conv(), s.sender(), s.clientId(), "x"),
                        m -> callbacks.computeIfAbsent(m.conversationId(), k -> new ConcurrentLinkedQueue<>()).add(m.seq()))
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)));
            }
        }
        writer.close();

        Map<String, Long> idOfClientKey = new HashMap<>();
        Map<String, Integer> freshOfClientKey = new HashMap<>();
        int fresh = 0;
        for (int i = 0; i < sends.size(); i++) {
            SendResult r = answers.get(i).get().orElseThrow();
            Send s = sends.get(i);
            assertThat(r.message().conversationId()).isEqualTo(s.conv());
            assertThat(r.members()).containsExactlyInAnyOrder(users);
            fresh += r.replayed() ? 0 : 1;
            if (s.clientId() != null) {
                String key = s.conv() + "/" + s.sender() + "/" + s.clientId();
                Long earlier = idOfClientKey.putIfAbsent(key, r.message().id());
                assertThat(earlier == null || earlier == r.message().id()).as("one message per client id").isTrue();
                freshOfClientKey.merge(key, r.replayed() ? 0 : 1, Integer::sum);
            } else {
                assertThat(r.replayed()).isFalse();
            }
        }
        assertThat(freshOfClientKey.values()).as("each client id stored by exactly one send").containsOnly(1);
        assertThat(fresh).isEqualTo(600);

        JdbcChatStore store = new JdbcChatStore(dataSource());
        int total = 0;
        for (long conv : conversations) {
            List<ChatMessage> stored = store.readSince(conv, 0, 10_000);
            total += stored.size();
            List<Long> expected = LongStream.rangeClosed(1, stored.size()).boxed().toList();
            assertThat(stored).extracting(ChatMessage::seq).containsExactlyElementsOf(expected);
            assertThat(store.lastSeq(conv)).isEqualTo(stored.size());
            assertThat(callbacks.get(conv)).as("callbacks in seq order, once each").containsExactlyElementsOf(expected);
            for (String u : users) {
                long last = stored.stream().filter(m -> m.senderId().equals(u)).mapToLong(ChatMessage::seq).max().orElse(0);
                assertThat(store.membership(conv, u).orElseThrow().lastReadSeq()).isEqualTo(last);
            }
        }
        assertThat(total).isEqualTo(600);
        long[] committed = writer.committed();
        assertThat(committed[1]).isEqualTo(600);
        assertThat(committed[0]).as("sends waiting together share a commit").isLessThan(600);
    }

    @Test
    void theNodesStoreTimesEachBatchAndCountsWhatItCommitted() {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JdbcChatStore store = new JdbcChatStore(dataSource(), JdbcChatStore.LANES, registry);
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(store.append(msg(conv, i % 2 == 0 ? a : b, "m" + i, "hello " + i))).isPresent();
            }
            Timer batches = registry.get("herald.chat.batch.latency").timer();
            double commits = registry.get("herald.chat.commits").functionCounter().count();
            assertThat(registry.get("herald.chat.messages.stored").functionCounter().count()).isEqualTo(3);
            assertThat(commits).isBetween(1.0, 3.0);
            // A batch's time is taken after it answered its callers: the last one lands just after.
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(batches.count()).as("one timing per committed batch").isEqualTo((long) commits));
            assertThat(batches.max(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.get("herald.chat.queued").gauge().value()).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void aConversationWaitingForTheDatabaseDoesNotHoldUpOneInTheOtherLane() throws Exception {
        String a = user("a"), b = user("b");
        long first = group(a, b);
        long second = group(a, b);
        // Consecutive ids: one in each of the two lanes.
        assertThat(Math.floorMod(first, 2)).isNotEqualTo(Math.floorMod(second, 2));
        JdbcChatStore writer = new JdbcChatStore(dataSource(), 2,
                new GroupCommitWriter.Limits(100, 1L << 20, Duration.ofHours(1)));
        try (Blocker blocker = new Blocker().lock(first)) {
            CompletableFuture<Optional<SendResult>> held = writer.submit(msg(first, a, "held-1", "1"), NOBODY);
            blocker.awaitSomeoneWaiting();
            CompletableFuture<Optional<SendResult>> behind = writer.submit(msg(first, b, "held-2", "2"), NOBODY);
            // The other lane commits while the first waits for the row lock.
            assertThat(done(writer.submit(msg(second, a, "free", "3"), NOBODY)).orElseThrow().message().seq())
                    .isEqualTo(1);
            assertThat(held).isNotDone();
            assertThat(behind).isNotDone();
            blocker.close();
            assertThat(done(held).orElseThrow().message().seq()).isEqualTo(1);
            assertThat(done(behind).orElseThrow().message().seq()).isEqualTo(2);
        } finally {
            writer.close();
        }
    }

    @Test
    void aNonMemberSendingInTheSameBatchAsMembersGetsNothingAndTakesNoSeq() throws Exception {
        String a = user("a"), b = user("b"), outsider = user("x");
        long conv = group(a, b);
        long other = group(a, b);
        JdbcChatStore writer = writer(100, 1L << 20);
        try (Blocker blocker = new Blocker().lock(conv)) {
            CompletableFuture<Optional<SendResult>> first = writer.submit(msg(conv, a, "first", "1"), NOBODY);
            blocker.awaitSomeoneWaiting();
            long[] before = writer.committed();
            List<CompletableFuture<Optional<SendResult>>> batch = List.of(
                    writer.submit(msg(conv, a, "a-1", "2"), NOBODY),
                    writer.submit(msg(conv, outsider, "x-1", "intrude"), NOBODY),
                    writer.submit(msg(conv, b, null, "3"), NOBODY),
                    writer.submit(msg(987_654_321L, a, null, "nowhere"), NOBODY),
                    writer.submit(msg(other, b, "b-1", "elsewhere"), NOBODY));
            blocker.close();

            assertThat(done(first).orElseThrow().message().seq()).isEqualTo(1);
            assertThat(done(batch.get(0)).orElseThrow().message().seq()).isEqualTo(2);
            assertThat(done(batch.get(1))).isEmpty();
            assertThat(done(batch.get(2)).orElseThrow().message().seq()).isEqualTo(3);
            assertThat(done(batch.get(3))).isEmpty();
            assertThat(done(batch.get(4)).orElseThrow().message().seq()).isEqualTo(1);
            long[] after = writer.committed();
            assertThat(after[0] - before[0]).as("the first send's commit, then one for the five").isEqualTo(2);
        } finally {
            writer.close();
        }
        JdbcChatStore store = new JdbcChatStore(dataSource());
        assertThat(store.readSince(conv, 0, 10)).extracting(ChatMessage::content).containsExactly("1", "2", "3");
        assertThat(store.lastSeq(conv)).isEqualTo(3);
    }

    @Test
    void aBatchThatLosesAClientIdRaceToAnotherNodeIsRunAgainInItsTransactionAndOnlyThatSendReplays() throws Exception {
        String a = user("a"), b = user("b");
        long gate = group(a, b);
        long raced = group(a, b);
        long y = group(a, b);
        long z = group(a, b);
        JdbcChatStore writer = writer(100, 1L << 20);
        try (Blocker otherNode = new Blocker()) {
            otherNode.storeUncommitted(raced, a, "k");
            CompletableFuture<Optional<SendResult>> first;
            List<CompletableFuture<Optional<SendResult>>> batch;
            long[] before;
            try (Blocker holdGate = new Blocker().lock(gate)) {
                first = writer.submit(msg(gate, a, null, "gate"), NOBODY);
                holdGate.awaitSomeoneWaiting();
                before = writer.committed();
                batch = List.of(
                        writer.submit(msg(y, b, null, "y"), NOBODY),
                        writer.submit(msg(raced, a, "k", "from this node"), NOBODY),
                        writer.submit(msg(z, b, null, "z"), NOBODY));
            }
            // The batch did not see the uncommitted row, and now waits for the raced conversation.
            otherNode.awaitSomeoneWaiting();
            otherNode.commit();

            assertThat(done(first)).isPresent();
            SendResult replayed = done(batch.get(1)).orElseThrow();
            assertThat(replayed.replayed()).isTrue();
            assertThat(replayed.message().content()).isEqualTo("from the other node");
            assertThat(replayed.message().seq()).isEqualTo(1);
            assertThat(done(batch.get(0)).orElseThrow().replayed()).isFalse();
            assertThat(done(batch.get(2)).orElseThrow().replayed()).isFalse();
            long[] after = writer.committed();
            assertThat(after[0] - before[0]).as("the gate, then the three in one transaction").isEqualTo(2);
            assertThat(after[2] - before[2]).as("run again once, after the index refused the raced row").isEqualTo(1);
        } finally {
            writer.close();
        }
        JdbcChatStore store = new JdbcChatStore(dataSource());
        assertThat(store.lastSeq(raced)).isEqualTo(1);
        assertThat(store.readSince(y, 0, 10)).extracting(ChatMessage::seq).containsExactly(1L);
        assertThat(store.readSince(z, 0, 10)).extracting(ChatMessage::seq).containsExactly(1L);
    }

    /**
     * Client ids are not looked up before storing: a retry of a stored message is found by the
     * unique index, its batch rolled back to its savepoint and stored again after a lookup, with
     * no seq lost. For a while after that the writer looks up first, so a client that keeps
     * retrying cannot make it roll back batch after batch.
     */
    @Test
    void aRetryInALaterBatchIsFoundByTheIndexAndThenLookedUpFirstForAWhile() throws Exception {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        long other = group(a, b);
        JdbcChatStore writer = writer(100, 1L << 20);
        try {
            SendResult original = done(writer.submit(msg(conv, a, "k1", "original"), NOBODY)).orElseThrow();
            assertThat(original.message().seq()).isEqualTo(1);
            long[] before = writer.committed();
            List<CompletableFuture<Optional<SendResult>>> batch;
            try (Blocker gate = new Blocker().lock(other)) {
                CompletableFuture<Optional<SendResult>> held = writer.submit(msg(other, b, null, "gate"), NOBODY);
                gate.awaitSomeoneWaiting();
                batch = List.of(
                        writer.submit(msg(conv, b, "k2", "new 1"), NOBODY),
                        writer.submit(msg(conv, a, "k1", "the retry"), NOBODY),
                        writer.submit(msg(conv, a, "k3", "new 2"), NOBODY));
                gate.close();
                assertThat(done(held)).isPresent();
            }
            assertThat(done(batch.get(0)).orElseThrow().message().seq()).isEqualTo(2);
            SendResult retry = done(batch.get(1)).orElseThrow();
            assertThat(retry.replayed()).isTrue();
            assertThat(retry.message().id()).isEqualTo(original.message().id());
            assertThat(retry.message().content()).isEqualTo("original");
            assertThat(done(batch.get(2)).orElseThrow().message().seq()).isEqualTo(3);
            long[] after = writer.committed();
            assertThat(after[1] - before[1]).as("the gate's message and the two new ones").isEqualTo(3);
            assertThat(after[2] - before[2]).as("one batch run again").isEqualTo(1);

            // Looked up first now: the same retry again, alone and in a batch, rolls nothing back.
            assertThat(done(writer.submit(msg(conv, a, "k1", "again"), NOBODY)).orElseThrow().replayed()).isTrue();
            assertThat(done(writer.submit(msg(conv, b, "k4", "new 3"), NOBODY)).orElseThrow().message().seq())
                    .isEqualTo(4);
            assertThat(writer.committed()[2]).isEqualTo(after[2]);
        } finally {
            writer.close();
        }
        JdbcChatStore store = new JdbcChatStore(dataSource());
        assertThat(store.readSince(conv, 0, 10)).extracting(ChatMessage::content)
                .containsExactly("original", "new 1", "new 2", "new 3");
        assertThat(store.lastSeq(conv)).isEqualTo(4);
        assertThat(store.membership(conv, a).orElseThrow().lastReadSeq()).isEqualTo(3);
    }

    @Test
    void aFullQueueRefusesASendAtOnceAndStoresNothingOfIt() throws Exception {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        JdbcChatStore writer = writer(3, 1L << 20);
        List<CompletableFuture<Optional<SendResult>>> accepted = new ArrayList<>();
        try (Blocker blocker = new Blocker().lock(conv)) {
            accepted.add(writer.submit(msg(conv, a, null, "taken"), NOBODY));
            blocker.awaitSomeoneWaiting();
            for (int i = 1; i <= 3; i++) {
                accepted.add(writer.submit(msg(conv, a, null, "queued " + i), NOBODY));
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> writer.submit(msg(conv, b, "c-9", "refused"), NOBODY))
                    .isInstanceOf(ChatStoreBusyException.class)
                    .hasMessageContaining("3 are waiting").hasMessageContaining("retry later");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            assertThat(writer.queued()).isEqualTo(3);
        } finally {
            // blocker closed: the writer goes on
            for (CompletableFuture<Optional<SendResult>> f : accepted) {
                done(f);
            }
            writer.close();
        }
        assertThat(new JdbcChatStore(dataSource()).readSince(conv, 0, 10)).extracting(ChatMessage::content)
                .containsExactly("taken", "queued 1", "queued 2", "queued 3");
    }

    @Test
    void aCallerWaitingForRoomIsWokenOnceByTheCommitThatMakesRoomAndAtOnceWhenThereIsRoom() throws Exception {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        JdbcChatStore writer = writer(2, 1L << 20);
        List<CompletableFuture<Optional<SendResult>>> accepted = new ArrayList<>();
        AtomicInteger woken = new AtomicInteger();
        try {
            try (Blocker blocker = new Blocker().lock(conv)) {
                accepted.add(writer.submit(msg(conv, a, null, "taken"), NOBODY));
                blocker.awaitSomeoneWaiting();
                accepted.add(writer.submit(msg(conv, a, null, "queued 1"), NOBODY));
                accepted.add(writer.submit(msg(conv, a, null, "queued 2"), NOBODY));
                assertThatThrownBy(() -> writer.submit(msg(conv, b, "c-9", "refused"), NOBODY))
                        .isInstanceOf(ChatStoreBusyException.class);
                writer.whenRoom(woken::incrementAndGet);
                Thread.sleep(200);
                assertThat(woken).as("no room while the writer is stuck").hasValue(0);
            }
            // blocker closed: the writer commits "taken", then the two queued, and wakes the waiter
            await().atMost(WAIT).until(() -> woken.get() == 1);
            for (CompletableFuture<Optional<SendResult>> f : accepted) {
                done(f);
            }
            accepted.add(writer.submit(msg(conv, b, "c-9", "after room"), NOBODY));
            done(accepted.get(accepted.size() - 1));
            Thread.sleep(100);
            assertThat(woken).as("a waiter is woken once").hasValue(1);

            AtomicInteger idle = new AtomicInteger();
            writer.whenRoom(idle::incrementAndGet);
            assertThat(idle).as("an empty queue has room at once").hasValue(1);
        } finally {
            writer.close();
        }
        assertThat(new JdbcChatStore(dataSource()).readSince(conv, 0, 10)).extracting(ChatMessage::content)
                .containsExactly("taken", "queued 1", "queued 2", "after room");
    }

    @Test
    void aSendLargerThanTheQueuesByteCapIsRefused() {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        JdbcChatStore writer = writer(100, 4096);
        try {
            assertThatThrownBy(() -> writer.submit(msg(conv, a, null, "x".repeat(3000)), NOBODY))
                    .isInstanceOf(ChatStoreBusyException.class);
        } finally {
            writer.close();
        }
        assertThat(new JdbcChatStore(dataSource()).lastSeq(conv)).isZero();
    }

    @Test
    void aClosedWriterRefusesAndTheStoreStillAnswersReads() {
        String a = user("a"), b = user("b");
        long conv = group(a, b);
        JdbcChatStore store = new JdbcChatStore(dataSource());
        assertThat(store.append(msg(conv, a, null, "before close"))).isPresent();
        store.close();
        assertThatThrownBy(() -> store.append(msg(conv, a, null, "after close")))
                .isInstanceOf(dev.herald.server.store.StoreUnavailableException.class)
                .hasMessageContaining("closed");
        assertThat(store.readSince(conv, 0, 10)).hasSize(1);
    }
}
