package dev.herald.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.chat.jdbc.ChatDatabases;
import dev.herald.server.chat.jdbc.JdbcChatStore;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The chat rules on a real H2 store, with a broker and a notifier that record what they get. */
class ChatServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static Path dir;
    private static HikariDataSource pool;

    private record Notification(List<String> users, String json, String key) {
    }

    private final RecordingBroker broker = new RecordingBroker();
    private final List<Notification> notified = new CopyOnWriteArrayList<>();
    private final LocalConversationViewers viewers = new LocalConversationViewers();
    private ScheduledExecutorService scheduler;
    private ChatService chat;
    private String alice;
    private String bob;
    private String carol;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("herald-chat-service-");
        pool = ChatDatabases.h2(dir);
    }

    @AfterAll
    static void close() {
        pool.close();
        TempDirs.delete(dir);
    }

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        ChatSettings settings = ChatSettings.defaults().withTypingExpiry(Duration.ofMillis(300)).withMaxContentChars(100);
        chat = new ChatService(new JdbcChatStore(pool), broker, viewers, new TypingTracker(settings, scheduler, System::nanoTime),
                (users, json, key) -> notified.add(new Notification(users, json, key)), settings);
        int n = NEXT.incrementAndGet();
        alice = "alice" + n;
        bob = "bob" + n;
        carol = "carol" + n;
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private long direct() {
        return chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob), null).conversation().id();
    }

    private static JsonNode parse(StreamEvent e) throws Exception {
        return JSON.readTree(e.json());
    }

    @Test
    void aSentMessageIsPublishedAndTheReceiverWhoIsNotInTheChatGetsOneNotification() throws Exception {
        long conv = direct();
        broker.clear();
        SendResult sent = chat.send(alice, "Alice A", conv, "Hello Bob", "c-1", null);

        assertThat(sent.replayed()).isFalse();
        assertThat(sent.message().seq()).isEqualTo(1);
        assertThat(sent.message().messageType()).isEqualTo("text_message");
        assertThat(broker.ofType("message")).hasSize(1);
        StreamEvent event = broker.ofType("message").get(0);
        assertThat(event.stream()).isEqualTo("conv:" + conv);
        assertThat(event.seq()).isEqualTo(1);
        assertThat(parse(event).get("client_id").asText()).isEqualTo("c-1");

        assertThat(notified).hasSize(1);
        Notification n = notified.get(0);
        assertThat(n.users()).containsExactly(bob);
        assertThat(n.key()).isEqualTo("chat-message:" + sent.message().id());
        JsonNode body = JSON.readTree(n.json());
        assertThat(body.get("type").asText()).isEqualTo("new_message");
        assertThat(body.get("message").asText()).isEqualTo("New message from Alice A");
        assertThat(body.get("chat_id").asLong()).isEqualTo(conv);
        assertThat(body.get("content_preview").asText()).isEqualTo("Hello Bob");
    }

    @Test
    void aMemberWhoIsInTheChatGetsNoNotificationAndOthersStillDo() {
        long group = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob, carol), "trio").conversation().id();
        viewers.joined(group, bob, "tab-1");
        chat.send(alice, null, group, "hi all", null, null);
        assertThat(notified).hasSize(1);
        assertThat(notified.get(0).users()).containsExactly(carol);

        viewers.joined(group, carol, "tab-2");
        chat.send(alice, null, group, "again", null, null);
        assertThat(notified).as("everyone is in the chat").hasSize(1);

        viewers.left(group, bob, "tab-1");
        chat.send(carol, null, group, "bob left", null, null);
        assertThat(notified).hasSize(2);
        assertThat(notified.get(1).users()).as("the sender alice is not viewing either").containsExactly(alice, bob);
    }

    @Test
    void aRetriedSendStoresNothingNewAndNotifiesUnderTheSameIdempotencyKey() {
        long conv = direct();
        SendResult first = chat.send(alice, null, conv, "once", "retry-me", null);
        SendResult again = chat.send(alice, null, conv, "once", "retry-me", null);
        assertThat(again.replayed()).isTrue();
        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(notified).extracting(Notification::key).containsOnly("chat-message:" + first.message().id());
        assertThat(broker.ofType("message")).extracting(StreamEvent::seq).containsOnly(1L);
        assertThat(chat.history(bob, conv, Long.MAX_VALUE, 10)).hasSize(1);
    }

    @Test
    void concurrentSendsToOneConversationArePublishedOnceEachInSeqOrder() throws Exception {
        long group = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob, carol), "busy").conversation().id();
        broker.clear();
        String[] senders = {alice, bob, carol};
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                String sender = senders[i % 3];
                String clientId = "c" + i;
                threads.submit(() -> chat.send(sender, null, group, "hi", clientId, null));
                if (i % 10 == 0) {
                    threads.submit(() -> chat.send(sender, null, group, "hi", clientId, null)); // a retry racing its original
                }
            }
        }
        List<Long> published = broker.ofType("message").stream().filter(e -> e.stream().equals("conv:" + group))
                .map(StreamEvent::seq).toList();
        // A replay is published again by the service (the first attempt may have died before
        // publishing); without those, each seq once, in order.
        assertThat(published.stream().distinct().toList()).containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
        List<Long> firstSeen = new ArrayList<>();
        long highest = 0;
        for (long seq : published) {
            if (seq > highest) {
                firstSeen.add(seq);
                highest = seq;
            }
        }
        assertThat(firstSeen).as("new messages leave in seq order").hasSize(300);
        assertThat(published).hasSizeLessThanOrEqualTo(330);
    }

    /** A chat service whose store refuses {@code method} as a full write queue does, and answers the rest. */
    private ChatService serviceOnAFullStore(ChatStore real, String method) {
        ChatStore full = (ChatStore) Proxy.newProxyInstance(ChatStore.class.getClassLoader(), new Class<?>[] {ChatStore.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        throw new ChatStoreBusyException("4096 are waiting; nothing was stored, retry later");
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ChatSettings settings = ChatSettings.defaults();
        return new ChatService(full, broker, viewers, new TypingTracker(settings, scheduler, System::nanoTime),
                (users, json, key) -> notified.add(new Notification(users, json, key)), settings);
    }

    @Test
    void aSendRefusedByAFullWriteQueueIsRateLimitedAndNotPublished() {
        long conv = direct();
        ChatStore real = new JdbcChatStore(pool);
        ChatService busy = serviceOnAFullStore(real, "append");
        broker.clear();
        assertThatThrownBy(() -> busy.send(alice, null, conv, "hello", "c-1", null))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ChatException.Code.RATE_LIMITED);
                    assertThat(e.code().wire()).isEqualTo("rate_limited");
                    assertThat(e.getMessage()).contains("retry later");
                });
        assertThat(broker.ofType("message")).isEmpty();
        assertThat(notified).isEmpty();
        assertThat(real.lastSeq(conv)).isZero();
    }

    /** Runs tasks on a thread of its own and remembers which ran there. */
    private static final class NamedExecutor implements java.util.concurrent.Executor, AutoCloseable {
        final ExecutorService thread;
        final AtomicInteger ran = new AtomicInteger();

        NamedExecutor(String name) {
            thread = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
        }

        @Override
        public void execute(Runnable task) {
            thread.execute(() -> {
                ran.incrementAndGet();
                task.run();
            });
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    @Test
    void anAsyncSendToAMemberViewingOnThisNodeCompletesOnTheCallersExecutorAndNeverUsesTheBlockingOne()
            throws Exception {
        long conv = direct();
        viewers.joined(conv, bob, "bob-connection");
        broker.clear();
        try (NamedExecutor loop = new NamedExecutor("test-loop"); NamedExecutor blocking = new NamedExecutor("test-blocking")) {
            SendResult sent = chat.sendAsync(alice, "Alice A", new SendRequest(conv, "Hello Bob", "c-1", null), loop,
                    blocking).get(10, java.util.concurrent.TimeUnit.SECONDS);

            // Counted, not read from a dependent stage: one attached after the completion would
            // run on this thread.
            assertThat(sent.message().seq()).isEqualTo(1);
            assertThat(loop.ran).as("completed on the caller's executor").hasValue(1);
            assertThat(blocking.ran).hasValue(0);
        }
        assertThat(broker.ofType("message")).hasSize(1);
        assertThat(notified).as("bob is in the chat").isEmpty();
    }

    @Test
    void anAsyncSendFromAnEventLoopTimesTheStoresWaitOnThatLoop() throws Exception {
        long conv = direct();
        viewers.joined(conv, bob, "bob-connection");
        java.util.List<Long> scheduledMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ScheduledThreadPoolExecutor loop = new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
            @Override
            public <V> java.util.concurrent.ScheduledFuture<V> schedule(java.util.concurrent.Callable<V> task, long delay,
                                                                        java.util.concurrent.TimeUnit unit) {
                scheduledMillis.add(unit.toMillis(delay));
                return super.schedule(task, delay, unit);
            }

            @Override
            public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay,
                                                                    java.util.concurrent.TimeUnit unit) {
                if (delay > 0) { // execute() schedules with no delay: not a timer
                    scheduledMillis.add(unit.toMillis(delay));
                }
                return super.schedule(command, delay, unit);
            }
        };
        try {
            SendResult sent = chat.sendAsync(alice, null, new SendRequest(conv, "Hello Bob", "c-1", null), loop,
                    Runnable::run).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(sent.message().seq()).isEqualTo(1);
            assertThat(scheduledMillis).as("the store's wait, timed on the caller's loop")
                    .containsExactly(JdbcChatStore.APPEND_WAIT.toMillis());
        } finally {
            loop.shutdownNow();
        }
    }

    @Test
    void anAsyncSendNotifiesAnAbsentMemberOnTheBlockingExecutorBeforeItCompletes() throws Exception {
        long conv = direct();
        try (NamedExecutor loop = new NamedExecutor("test-loop"); NamedExecutor blocking = new NamedExecutor("test-blocking")) {
            SendResult sent = chat.sendAsync(alice, null, new SendRequest(conv, "Hello Bob", "c-1", null), loop, blocking)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(blocking.ran).hasValue(1);
            assertThat(notified).singleElement().satisfies(n -> {
                assertThat(n.users()).containsExactly(bob);
                assertThat(n.key()).isEqualTo("chat-message:" + sent.message().id());
            });
        }
    }

    @Test
    void anAsyncSendRefusesABadRequestOrAFullQueueAtOnceOnTheCallingThread() {
        long conv = direct();
        java.util.concurrent.Executor never = task -> {
            throw new AssertionError("nothing may run after a refusal");
        };
        assertRefused(() -> chat.sendAsync(alice, null, new SendRequest(conv, "  ", null, null), never, never),
                ChatException.Code.INVALID_FIELD, "content");

        ChatStore real = new JdbcChatStore(pool);
        ChatService busy = serviceOnAFullStore(real, "appendAsync");
        broker.clear();
        // The store's own refusal, so that a connection can tell "no room yet" (and hold the send)
        // from a request it must answer; answered rate_limited when it is answered.
        assertThatThrownBy(() -> busy.sendAsync(alice, null, new SendRequest(conv, "hello", "c-1", null), never, never))
                .isInstanceOfSatisfying(ChatStoreBusyException.class, e -> {
                    assertThat(ChatError.of(e).code()).isEqualTo(ChatException.Code.RATE_LIMITED.wire());
                    assertThat(e.getStackTrace()).as("a refusal costs no stack trace").isEmpty();
                });
        assertThat(broker.ofType("message")).isEmpty();
        assertThat(real.lastSeq(conv)).isZero();
    }

    @Test
    void anAsyncSendByANonMemberFailsNotFound() {
        long conv = direct();
        java.util.concurrent.CompletableFuture<SendResult> sent = chat.sendAsync(carol, null,
                new SendRequest(conv, "let me in", null, null), Runnable::run, Runnable::run);
        assertThatThrownBy(() -> sent.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(ChatException.class).hasMessageContaining("no conversation " + conv);
    }

    @Test
    void badContentAndTypesAreRefusedNamingTheField() {
        long conv = direct();
        assertRefused(() -> chat.send(alice, null, conv, null, null, null), ChatException.Code.INVALID_FIELD, "content");
        assertRefused(() -> chat.send(alice, null, conv, "   ", null, null), ChatException.Code.INVALID_FIELD, "content");
        assertRefused(() -> chat.send(alice, null, conv, "x".repeat(101), null, null), ChatException.Code.CONTENT_TOO_LONG, "content");
        assertRefused(() -> chat.send(alice, null, conv, "ok", null, "Bad Type"), ChatException.Code.INVALID_FIELD, "message_type");
        assertRefused(() -> chat.send(alice, null, conv, "ok", "", null), ChatException.Code.INVALID_FIELD, "client_id");
        assertThat(chat.send(alice, null, conv, "x".repeat(100), null, "image_message").message().messageType())
                .isEqualTo("image_message");
    }

    @Test
    void aNonMemberIsRefusedEverywhereExactlyLikeAMissingConversation() {
        long conv = direct();
        chat.send(alice, null, conv, "private", null, null);
        broker.clear();
        notified.clear();
        for (long id : List.of(conv, 999_999_999L)) {
            List<Executable> calls = List.of(
                    () -> chat.conversation(carol, id),
                    () -> chat.requireMember(carol, id),
                    () -> chat.send(carol, null, id, "let me in", null, null),
                    () -> chat.history(carol, id, Long.MAX_VALUE, 10),
                    () -> chat.markRead(carol, id, 1),
                    () -> chat.react(carol, id, MessageRef.bySeq(1), "👍", true),
                    () -> chat.typing(carol, id),
                    () -> chat.stopTyping(carol, id));
            for (Executable call : calls) {
                ChatException e = assertThrows(ChatException.class, call);
                assertThat(e.code()).isEqualTo(ChatException.Code.CONVERSATION_NOT_FOUND);
                assertThat(e.getMessage()).isEqualTo("no conversation " + id + " that you are a member of");
            }
        }
        assertThat(broker.events()).isEmpty();
        assertThat(notified).isEmpty();
    }

    @Test
    void typingReachesOthersOnceStopsOnSendAndExpiresWhenNeverStopped() throws Exception {
        long conv = direct();
        broker.clear();
        chat.typing(alice, conv);
        chat.typing(alice, conv);
        chat.typing(alice, conv);
        assertThat(broker.ofType("typing")).hasSize(1);
        assertThat(broker.ofType("typing").get(0).excludeUserId()).isEqualTo(alice);
        chat.stopTyping(alice, conv);
        assertThat(broker.ofType("stop_typing")).hasSize(1);
        chat.stopTyping(alice, conv);
        assertThat(broker.ofType("stop_typing")).as("nothing to stop").hasSize(1);

        chat.typing(alice, conv);
        chat.send(alice, null, conv, "done typing", null, null);
        assertThat(broker.ofType("stop_typing")).as("sending ends typing").hasSize(2);

        chat.typing(bob, conv);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("stop_typing").size() == 3);
        StreamEvent expired = broker.ofType("stop_typing").get(2);
        assertThat(parse(expired).get("user_id").asText()).isEqualTo(bob);
        assertThat(expired.excludeUserId()).isEqualTo(bob);
    }

    @Test
    void aTypingFloodIsRateLimitedWithAClearError() {
        long conv = direct();
        int refused = 0;
        for (int i = 0; i < 20; i++) {
            try {
                if (i % 2 == 0) {
                    chat.typing(alice, conv);
                } else {
                    chat.stopTyping(alice, conv);
                }
            } catch (ChatException e) {
                assertThat(e.code()).isEqualTo(ChatException.Code.RATE_LIMITED);
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(10);
        assertThat(broker.ofType("typing").size()).isLessThanOrEqualTo(6);
    }

    @Test
    void readingSendsAReceiptOnlyWhenTheMarkerMovesAndUnreadFollows() throws Exception {
        long conv = direct();
        chat.send(alice, null, conv, "1", null, null);
        chat.send(alice, null, conv, "2", null, null);
        chat.send(alice, null, conv, "3", null, null);
        broker.clear();
        assertThat(chat.conversations(bob, 10).get(0).unread()).isEqualTo(3);
        assertThat(chat.conversations(alice, 10).get(0).unread()).as("own messages are read").isZero();

        ReadResult r = chat.markRead(bob, conv, 2);
        assertThat(r.unread()).isEqualTo(1);
        assertThat(broker.ofType("read_receipt")).hasSize(1);
        JsonNode receipt = parse(broker.ofType("read_receipt").get(0));
        assertThat(receipt.get("user_id").asText()).isEqualTo(bob);
        assertThat(receipt.get("seq").asLong()).isEqualTo(2);
        chat.markRead(bob, conv, 1);
        assertThat(broker.ofType("read_receipt")).as("marker did not move").hasSize(1);
        assertThat(chat.conversations(bob, 10).get(0).unread()).isEqualTo(1);
        assertRefused(() -> chat.markRead(bob, conv, -1), ChatException.Code.INVALID_FIELD, "seq");
    }

    @Test
    void reactionsArePushedWhenTheyChangeAndAMissingMessageIsNamed() throws Exception {
        long conv = direct();
        ChatMessage m = chat.send(alice, null, conv, "react", null, null).message();
        broker.clear();
        chat.react(bob, conv, MessageRef.bySeq(1), "🎉", true);
        chat.react(bob, conv, MessageRef.byId(m.id()), "🎉", true);
        chat.react(bob, conv, MessageRef.bySeq(1), "🎉", false);
        assertThat(broker.ofType("reaction")).extracting(e -> {
            try {
                return parse(e).get("action").asText();
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        }).containsExactly("added", "removed");
        assertRefused(() -> chat.react(bob, conv, MessageRef.bySeq(5), "🎉", true), ChatException.Code.MESSAGE_NOT_FOUND, "seq");
        assertRefused(() -> chat.react(bob, conv, MessageRef.bySeq(1), "two words", true), ChatException.Code.INVALID_FIELD, "emoji");
    }

    @Test
    void creatingAConversationAnnouncesItToEveryMemberOnceAndValidatesMembers() throws Exception {
        long group = chat.createConversation(null, ConversationKind.GROUP, List.of(alice, bob, carol), "Backend-made")
                .conversation().id();
        assertThat(broker.ofType("conversation_added")).extracting(StreamEvent::stream)
                .containsExactlyInAnyOrder("chatuser:" + alice, "chatuser:" + bob, "chatuser:" + carol);
        assertThat(parse(broker.ofType("conversation_added").get(0)).get("conversation").get("id").asLong()).isEqualTo(group);

        broker.clear();
        long first = direct();
        long again = chat.createConversation(bob, ConversationKind.DIRECT, List.of(alice), null).conversation().id();
        assertThat(again).isEqualTo(first);
        assertThat(broker.ofType("conversation_added")).as("only the creation is announced").hasSize(2);

        assertRefused(() -> chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob, carol), null),
                ChatException.Code.INVALID_FIELD, "members");
        assertRefused(() -> chat.createConversation(alice, ConversationKind.DIRECT, List.of(alice), null),
                ChatException.Code.INVALID_FIELD, "members");
        assertRefused(() -> chat.createConversation(alice, ConversationKind.GROUP, List.of("bad id!"), null),
                ChatException.Code.INVALID_FIELD, "members[0]");
        assertRefused(() -> chat.createConversation(alice, ConversationKind.GROUP, List.of(bob), "t".repeat(201)),
                ChatException.Code.INVALID_FIELD, "title");
    }

    @Test
    void historyLimitsAreChecked() {
        long conv = direct();
        assertRefused(() -> chat.history(alice, conv, Long.MAX_VALUE, 0), ChatException.Code.INVALID_FIELD, "limit");
        assertRefused(() -> chat.history(alice, conv, Long.MAX_VALUE, 101), ChatException.Code.INVALID_FIELD, "limit");
        assertRefused(() -> chat.history(alice, conv, 0, 10), ChatException.Code.INVALID_FIELD, "before");
    }

    private static void assertRefused(Executable call, ChatException.Code code, String field) {
        assertThatThrownBy(call::execute).isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.field()).isEqualTo(field);
        });
    }
}
