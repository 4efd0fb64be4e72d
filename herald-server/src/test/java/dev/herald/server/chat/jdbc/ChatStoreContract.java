package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.ChatStore;
import dev.herald.server.chat.Conversation;
import dev.herald.server.chat.ConversationKind;
import dev.herald.server.chat.ConversationSummary;
import dev.herald.server.chat.MessageRef;
import dev.herald.server.chat.NewMessage;
import dev.herald.server.chat.Reaction;
import dev.herald.server.chat.ReadResult;
import dev.herald.server.chat.SendResult;
import dev.herald.server.chat.presence.PresenceStore;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ChatStore} (and {@link PresenceStore}) must do, run against H2 and
 * PostgreSQL. Each test uses users of its own, so tests share one database per class.
 */
abstract class ChatStoreContract {
    private static final AtomicInteger NEXT = new AtomicInteger();

    protected abstract DataSource dataSource();

    private ChatStore store() {
        return new JdbcChatStore(dataSource());
    }

    private static String user(String name) {
        return name + "-" + NEXT.incrementAndGet();
    }

    private static NewMessage msg(long conv, String sender, String clientId, String content) {
        return new NewMessage(conv, sender, "Name " + sender, clientId, "text_message", content);
    }

    @Test
    void aGroupIsCreatedWithItsMembersAndNoMessages() {
        String a = user("a"), b = user("b"), c = user("c");
        ChatStore.Created created = store().create(ConversationKind.GROUP, "Team", a, List.of(c, a, b));
        Conversation conv = created.conversation();
        assertThat(created.created()).isTrue();
        assertThat(conv.id()).isPositive();
        assertThat(conv.kind()).isEqualTo(ConversationKind.GROUP);
        assertThat(conv.title()).isEqualTo("Team");
        assertThat(conv.members()).containsExactly(a, b, c);
        assertThat(conv.lastSeq()).isZero();
        assertThat(conv.createdAt()).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
    }

    @Test
    void aDirectConversationOfTheSamePairIsReturnedInsteadOfDuplicatedEvenWhenCreatedConcurrently() throws Exception {
        String a = user("a"), b = user("b");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ChatStore.Created>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<String> members = i % 2 == 0 ? List.of(a, b) : List.of(b, a);
                results.add(pool.submit(() -> store().create(ConversationKind.DIRECT, null, a, members)));
            }
            Set<Long> ids = new HashSet<>();
            int created = 0;
            for (Future<ChatStore.Created> f : results) {
                ids.add(f.get().conversation().id());
                created += f.get().created() ? 1 : 0;
            }
            assertThat(ids).hasSize(1);
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store().conversationsOf(a, 10)).hasSize(1);
    }

    @Test
    void concurrentSendsGetGapFreeSeqsPerConversation() throws Exception {
        String a = user("a"), b = user("b");
        long one = store().create(ConversationKind.GROUP, null, a, List.of(a, b)).conversation().id();
        long two = store().create(ConversationKind.GROUP, null, a, List.of(a, b)).conversation().id();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<SendResult>> work = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long conv = i % 2 == 0 ? one : two;
            String sender = i % 3 == 0 ? a : b;
            int n = i;
            work.add(() -> store().append(msg(conv, sender, null, "m" + n)).orElseThrow());
        }
        try {
            for (Future<SendResult> f : pool.invokeAll(work)) {
                assertThat(f.get().replayed()).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
        for (long conv : List.of(one, two)) {
            List<ChatMessage> all = store().readSince(conv, 0, 100);
            assertThat(all).extracting(ChatMessage::seq).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
            assertThat(store().lastSeq(conv)).isEqualTo(20);
        }
    }

    @Test
    void aRetriedSendWithTheSameClientIdReturnsTheStoredMessageAndStoresNothing() throws Exception {
        String a = user("a"), b = user("b");
        long conv = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        SendResult first = store().append(msg(conv, a, "c-1", "hello")).orElseThrow();
        SendResult again = store().append(msg(conv, a, "c-1", "hello")).orElseThrow();
        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.message()).isEqualTo(first.message());
        // The same client id from the other member is another message.
        assertThat(store().append(msg(conv, b, "c-1", "hi")).orElseThrow().replayed()).isFalse();

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<SendResult>> retries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                retries.add(() -> store().append(msg(conv, a, "c-2", "retry")).orElseThrow());
            }
            Set<Long> ids = new HashSet<>();
            for (Future<SendResult> f : pool.invokeAll(retries)) {
                ids.add(f.get().message().id());
            }
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store().readSince(conv, 0, 10)).extracting(ChatMessage::content).containsExactly("hello", "hi", "retry");
    }

    @Test
    void aNonMemberAndAMissingConversationGetTheSameEmptyAnswerEverywhere() {
        String a = user("a"), b = user("b"), outsider = user("x");
        long conv = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        store().append(msg(conv, a, null, "secret"));
        for (long id : List.of(conv, 987_654_321L)) {
            assertThat(store().membership(id, outsider)).isEmpty();
            assertThat(store().conversationFor(id, outsider)).isEmpty();
            assertThat(store().append(msg(id, outsider, null, "intrude"))).isEmpty();
            assertThat(store().markRead(id, outsider, 1)).isEmpty();
        }
        assertThat(store().lastSeq(conv)).isEqualTo(1);
        assertThat(store().conversationsOf(outsider, 10)).isEmpty();
    }

    @Test
    void historyPagesBackwardsAndEachPageIsAscending() {
        String a = user("a"), b = user("b");
        long conv = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        for (int i = 1; i <= 7; i++) {
            store().append(msg(conv, i % 2 == 0 ? a : b, null, "m" + i));
        }
        assertThat(store().history(conv, Long.MAX_VALUE, 3)).extracting(ChatMessage::seq).containsExactly(5L, 6L, 7L);
        assertThat(store().history(conv, 5, 3)).extracting(ChatMessage::seq).containsExactly(2L, 3L, 4L);
        assertThat(store().history(conv, 2, 3)).extracting(ChatMessage::seq).containsExactly(1L);
        assertThat(store().history(conv, 1, 3)).isEmpty();
        assertThat(store().readSince(conv, 5, 10)).extracting(ChatMessage::content).containsExactly("m6", "m7");
        ChatMessage m = store().readSince(conv, 0, 1).get(0);
        assertThat(m.senderName()).isEqualTo("Name " + b);
        assertThat(m.messageType()).isEqualTo("text_message");
        assertThat(m.createdAt()).isNotNull();
    }

    @Test
    void readMarkersMoveOnlyForwardAreClampedAndSendingMovesTheSendersOwn() {
        String a = user("a"), b = user("b");
        long conv = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        store().append(msg(conv, a, null, "1"));
        store().append(msg(conv, a, null, "2"));
        store().append(msg(conv, a, null, "3"));
        assertThat(store().membership(conv, a).orElseThrow().unread()).isZero();
        assertThat(store().membership(conv, b).orElseThrow().unread()).isEqualTo(3);

        ReadResult r = store().markRead(conv, b, 2).orElseThrow();
        assertThat(r.changed()).isTrue();
        assertThat(r.lastReadSeq()).isEqualTo(2);
        assertThat(r.unread()).isEqualTo(1);
        ReadResult back = store().markRead(conv, b, 1).orElseThrow();
        assertThat(back.changed()).isFalse();
        assertThat(back.lastReadSeq()).isEqualTo(2);
        ReadResult past = store().markRead(conv, b, 1000).orElseThrow();
        assertThat(past.lastReadSeq()).isEqualTo(3);
        assertThat(past.unread()).isZero();
    }

    @Test
    void theConversationListShowsNewestActivityFirstWithLastMessageAndUnread() throws Exception {
        String a = user("a"), b = user("b"), c = user("c");
        long older = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        long quiet = store().create(ConversationKind.GROUP, "quiet", a, List.of(a, c)).conversation().id();
        Thread.sleep(5); // activity times have millisecond precision: keep the three apart
        store().append(msg(older, b, null, "first"));
        Thread.sleep(5);
        long newer = store().create(ConversationKind.GROUP, "g", c, List.of(a, b, c)).conversation().id();
        store().append(msg(newer, c, null, "x"));
        store().append(msg(newer, c, null, "latest"));

        List<ConversationSummary> list = store().conversationsOf(a, 10);
        assertThat(list).extracting(s -> s.conversation().id()).containsExactly(newer, older, quiet);
        assertThat(list.get(0).lastMessage().content()).isEqualTo("latest");
        assertThat(list.get(0).unread()).isEqualTo(2);
        assertThat(list.get(0).conversation().members()).hasSize(3);
        assertThat(list.get(1).unread()).isEqualTo(1);
        assertThat(list.get(2).lastMessage()).isNull();
        assertThat(list.get(2).unread()).isZero();
        assertThat(store().conversationsOf(a, 1)).hasSize(1);
    }

    @Test
    void reactionsAreAddedAndRemovedOnceByUserAndEmoji() {
        String a = user("a"), b = user("b");
        long conv = store().create(ConversationKind.DIRECT, null, a, List.of(a, b)).conversation().id();
        ChatMessage m = store().append(msg(conv, a, null, "react to me")).orElseThrow().message();

        Reaction added = store().react(conv, b, MessageRef.bySeq(1), "👍", true).orElseThrow();
        assertThat(added.changed()).isTrue();
        assertThat(added.messageId()).isEqualTo(m.id());
        assertThat(store().react(conv, b, MessageRef.byId(m.id()), "👍", true).orElseThrow().changed()).isFalse();
        assertThat(store().react(conv, a, MessageRef.byId(m.id()), "👍", true).orElseThrow().changed()).isTrue();
        // Listed by time, then user id: two reactions in one millisecond come in user id order.
        assertThat(store().reactions(List.of(m.id())).get(m.id()).get("👍")).containsExactlyInAnyOrder(a, b);

        assertThat(store().react(conv, b, MessageRef.bySeq(1), "👍", false).orElseThrow().changed()).isTrue();
        assertThat(store().react(conv, b, MessageRef.bySeq(1), "👍", false).orElseThrow().changed()).isFalse();
        assertThat(store().reactions(List.of(m.id()))).isEqualTo(Map.of(m.id(), Map.of("👍", List.of(a))));

        assertThat(store().react(conv, b, MessageRef.bySeq(2), "👍", true)).isEmpty();
        long other = store().create(ConversationKind.GROUP, null, a, List.of(a)).conversation().id();
        assertThat(store().react(other, a, MessageRef.byId(m.id()), "👍", true)).as("a message of another conversation").isEmpty();
    }

    @Test
    void partnersAreEveryoneSharingAConversation() {
        String a = user("a"), b = user("b"), c = user("c"), d = user("d");
        store().create(ConversationKind.DIRECT, null, a, List.of(a, b));
        store().create(ConversationKind.GROUP, null, c, List.of(a, c, b));
        store().create(ConversationKind.DIRECT, null, c, List.of(c, d));
        String nobody = user("nobody");
        Map<String, Set<String>> partners = store().partnersOf(List.of(a, d, nobody), 100);
        assertThat(partners.get(a)).containsExactlyInAnyOrder(b, c);
        assertThat(partners.get(d)).containsExactly(c);
        assertThat(partners).doesNotContainKey(nobody);
        // At most limitEach per user, the first by id; one user's limit does not cut another's.
        assertThat(store().partnersOf(List.of(a, d), 1)).containsOnlyKeys(a, d)
                .satisfies(m -> assertThat(m.get(a)).containsExactly(b.compareTo(c) < 0 ? b : c))
                .satisfies(m -> assertThat(m.get(d)).containsExactly(c));
        assertThat(store().partnersOf(List.of(), 100)).isEmpty();
    }

    @Test
    void aDirectConversationNeedsExactlyTwoDistinctMembers() {
        String a = user("a");
        assertThatThrownBy(() -> store().create(ConversationKind.DIRECT, null, a, List.of(a)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members");
        assertThatThrownBy(() -> store().create(ConversationKind.GROUP, null, a, List.of(a, a)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    }

    @Test
    void presenceKeepsStatusAndLastSeenPerUser() {
        try (JdbcPresenceStore presence = new JdbcPresenceStore(dataSource())) {
            String a = user("a"), b = user("b"), c = user("c");
            Instant seen = Instant.parse("2026-01-02T03:04:05.678Z");
            presence.saveStatus(a, "busy");
            presence.saveLastSeen(a, seen).join();
            presence.saveLastSeen(b, seen).join();
            presence.saveStatus(a, "in a meeting");
            Map<String, PresenceStore.Stored> read = presence.read(List.of(a, b, c));
            assertThat(read).containsOnlyKeys(a, b);
            assertThat(read.get(a)).isEqualTo(new PresenceStore.Stored("in a meeting", seen));
            assertThat(read.get(b)).isEqualTo(new PresenceStore.Stored(null, seen));
        }
    }

    /**
     * A mass disconnect's last-seen times are stored in a few batched transactions: new rows and
     * existing ones in one batch, the latest time per user kept, every one stored.
     */
    @Test
    void lastSeenTimesOfManyUsersAreStoredTogetherTheLatestPerUser() {
        String prefix = user("many");
        Instant early = Instant.parse("2026-01-02T03:04:05.678Z");
        Instant late = early.plusSeconds(60);
        try (JdbcPresenceStore presence = new JdbcPresenceStore(dataSource())) {
            presence.saveStatus(prefix + "-0", "had a row before");
            List<java.util.concurrent.CompletableFuture<Void>> writes = new java.util.ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                writes.add(presence.saveLastSeen(prefix + "-" + i, i % 2 == 0 ? early : late));
            }
            for (int i = 0; i < 2000; i += 2) {
                writes.add(presence.saveLastSeen(prefix + "-" + i, late));
            }
            writes.forEach(java.util.concurrent.CompletableFuture::join);
            assertThat(presence.lastSeenCommits()).as("3,000 writes queued together share transactions").isLessThan(300);
            List<String> users = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                users.add(prefix + "-" + i);
            }
            Map<String, PresenceStore.Stored> read = presence.read(users);
            assertThat(read).hasSize(1000);
            assertThat(read.values()).extracting(PresenceStore.Stored::lastSeen).containsOnly(late);
            assertThat(read.get(prefix + "-0").status()).isEqualTo("had a row before");
        }
    }
}
