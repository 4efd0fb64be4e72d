package dev.herald.server.chat;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.chat.jdbc.ChatDatabases;
import dev.herald.server.chat.jdbc.JdbcChatStore;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.testing.QuietDelivery;
import dev.herald.server.testing.TempDirs;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A connection's joins, leaves and close through the real delivery core, on H2. */
class ChatConnectionTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static Path dir;
    private static HikariDataSource pool;

    /** A session on a test loop that records the events it is given. */
    private static final class TestSession implements Session {
        final List<StreamEvent> delivered = new CopyOnWriteArrayList<>();
        final String id;
        final String user;
        final EventLoop loop;

        TestSession(String id, String user, EventLoop loop) {
            this.id = id;
            this.user = user;
            this.loop = loop;
        }

        List<Long> messageSeqs() {
            return delivered.stream().filter(e -> e.type().equals("message")).map(StreamEvent::seq).toList();
        }

        List<String> types() {
            return delivered.stream().map(StreamEvent::type).toList();
        }

        @Override public String id() { return id; }
        @Override public String userId() { return user; }
        @Override public EventLoop eventLoop() { return loop; }
        @Override public boolean isOpen() { return true; }
        @Override public boolean isWritable() { return true; }
        @Override public void deliver(StreamEvent event) { delivered.add(event); }
        @Override public void flush() { }
        @Override public boolean markFlushPending() { return true; }
        @Override public void close(CloseReason reason) { }
    }

    private final RecordingBroker broker = new RecordingBroker();
    private final LocalConversationViewers viewers = new LocalConversationViewers();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private EventLoop loop;
    private ExecutorService blocking;
    private ScheduledExecutorService timers;
    private DeliveryHub hub;
    private ChatService chat;
    private String alice;
    private String bob;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("herald-chat-connection-");
        pool = ChatDatabases.h2(dir);
    }

    @AfterAll
    static void close() {
        pool.close();
        TempDirs.delete(dir);
    }

    @BeforeEach
    void setUp() {
        loop = new DefaultEventLoop();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        timers = Executors.newSingleThreadScheduledExecutor();
        ChatStore store = new JdbcChatStore(pool);
        ChatSettings settings = new ChatSettings(4000, 30, Duration.ofSeconds(30), 2, 5, 1000, 2, 100);
        chat = new ChatService(store, broker, viewers, new TypingTracker(settings, timers, System::nanoTime),
                (users, json, key) -> { }, settings);
        hub = new DeliveryHub(ChatLog.routing(new ChatLog(store), QuietDelivery.EMPTY_LOG), broker, blocking, e -> e,
                QuietDelivery.NO_LISTENER);
        broker.start(hub);
        int n = NEXT.incrementAndGet();
        alice = "alice" + n;
        bob = "bob" + n;
    }

    @AfterEach
    void tearDown() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        blocking.shutdownNow();
        timers.shutdownNow();
    }

    private <T> T onLoop(Callable<T> work) throws Exception {
        return loop.submit(work).get(10, TimeUnit.SECONDS);
    }

    private void onLoop(Runnable work) throws Exception {
        loop.submit(work).get(10, TimeUnit.SECONDS);
    }

    private long direct() {
        return chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob), null).conversation().id();
    }

    @Test
    void aJoinReplaysAfterSinceThenGoesLiveAndPutsTheUserInTheChatUntilLeave() throws Exception {
        long conv = direct();
        for (int i = 1; i <= 3; i++) {
            chat.send(alice, null, conv, "m" + i, null, null);
        }
        TestSession session = new TestSession("s1", bob, loop);
        ChatConnection connection = new ChatConnection(chat, hub, session, blocking);
        onLoop(() -> connection.join(conv, 1, j -> {
            log.add("joined seq=" + j.lastSeq() + " unread=" + j.unread() + " since=" + j.since()
                    + " delivered=" + session.delivered.size());
        }, e -> log.add("error " + e)));
        await().atMost(Duration.ofSeconds(10)).until(() -> session.messageSeqs().size() == 2);
        assertThat(log).containsExactly("joined seq=3 unread=3 since=1 delivered=0");
        assertThat(viewers.isViewing(conv, bob)).isTrue();

        chat.send(alice, null, conv, "m4", null, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.messageSeqs().size() == 3);
        assertThat(session.messageSeqs()).containsExactly(2L, 3L, 4L);

        onLoop(() -> connection.leave(conv));
        assertThat(viewers.isViewing(conv, bob)).isFalse();
        chat.send(alice, null, conv, "m5", null, null);
        assertThat(onLoop(() -> session.messageSeqs())).containsExactly(2L, 3L, 4L);
        assertThatThrownBy(() -> onLoop(() -> connection.leave(conv))).hasCauseInstanceOf(ChatException.class);
    }

    @Test
    void aNonMembersJoinFailsOnTheLoopLeavesNoTraceAndMayBeRetried() throws Exception {
        long conv = direct();
        TestSession session = new TestSession("s2", "mallory" + NEXT.incrementAndGet(), loop);
        ChatConnection connection = new ChatConnection(chat, hub, session, blocking);
        List<RuntimeException> errors = new CopyOnWriteArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            onLoop(() -> connection.join(conv, -1, j -> log.add("joined"), e -> {
                assertThat(loop.inEventLoop()).isTrue();
                errors.add(e);
            }));
            int expected = attempt + 1;
            await().atMost(Duration.ofSeconds(10)).until(() -> errors.size() == expected);
        }
        assertThat(errors).allSatisfy(e -> assertThat(((ChatException) e).code())
                .isEqualTo(ChatException.Code.CONVERSATION_NOT_FOUND));
        assertThat(log).isEmpty();
        assertThat(onLoop(() -> connection.hasJoined(conv))).isFalse();
        assertThat(viewers.conversationCount()).isZero();
    }

    @Test
    void joinsBeyondThePerConnectionLimitAreRefusedAtOnce() throws Exception {
        long one = direct();
        long two = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob), "g1").conversation().id();
        long three = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob), "g2").conversation().id();
        TestSession session = new TestSession("s3", bob, loop);
        ChatConnection connection = new ChatConnection(chat, hub, session, blocking);
        onLoop(() -> {
            connection.join(one, -1, j -> log.add("one"), e -> log.add("error " + e));
            connection.join(two, -1, j -> log.add("two"), e -> log.add("error " + e));
        });
        assertThatThrownBy(() -> onLoop(() -> connection.join(three, -1, j -> log.add("three"), e -> log.add("error"))))
                .hasCauseInstanceOf(ChatException.class).hasMessageContaining("at most 2 conversations");
        await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 2);
        assertThat(log).containsExactlyInAnyOrder("one", "two");
        onLoop(() -> connection.join(one, 0, j -> log.add("one again"), e -> log.add("error " + e)));
        await().atMost(Duration.ofSeconds(10)).until(() -> log.contains("one again"));
    }

    @Test
    void closingUnsubscribesLeavesEveryConversationAndEndsTyping() throws Exception {
        long conv = direct();
        TestSession bobSession = new TestSession("s4", bob, loop);
        TestSession aliceSession = new TestSession("s5", alice, loop);
        ChatConnection bobs = new ChatConnection(chat, hub, bobSession, blocking);
        ChatConnection alices = new ChatConnection(chat, hub, aliceSession, blocking);
        onLoop(() -> {
            bobs.open(() -> log.add("bob connected"));
            alices.join(conv, -1, j -> log.add("alice joined"), e -> log.add("error " + e));
            bobs.join(conv, -1, j -> log.add("bob joined"), e -> log.add("error " + e));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 3);
        onLoop(() -> bobs.typing(conv, e -> log.add("error " + e)));
        await().atMost(Duration.ofSeconds(10)).until(() -> aliceSession.types().contains("typing"));
        assertThat(bobSession.types()).as("the typist gets no echo").doesNotContain("typing");

        onLoop(bobs::closed);
        await().atMost(Duration.ofSeconds(10)).until(() -> aliceSession.types().contains("stop_typing"));
        assertThat(viewers.isViewing(conv, bob)).isFalse();
        assertThat(viewers.isViewing(conv, alice)).isTrue();
        assertThat(hub.streamCount()).as("only alice's conversation stream is left").isEqualTo(1);
        onLoop(bobs::closed);
        assertThat(log).noneMatch(entry -> entry.startsWith("error"));
    }

    /**
     * A store whose write queue is full while {@code full} is set: appendAsync refuses as the
     * real writer does, and the room waiters are kept for the test to wake.
     */
    private static final class FullStore {
        final java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        final List<Runnable> waiters = new CopyOnWriteArrayList<>();
        final ChatStore store;

        FullStore(ChatStore real) {
            store = (ChatStore) java.lang.reflect.Proxy.newProxyInstance(ChatStore.class.getClassLoader(),
                    new Class<?>[] {ChatStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("appendAsync") && full.get()) {
                            throw new ChatStoreBusyException("4096 are waiting; nothing was stored, retry later");
                        }
                        if (method.getName().equals("whenRoom")) {
                            waiters.add((Runnable) args[0]);
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        /** Room again: the store accepts sends and wakes whoever waits. */
        void room() {
            full.set(false);
            List<Runnable> woken = List.copyOf(waiters);
            waiters.clear();
            woken.forEach(Runnable::run);
        }
    }

    /** Records the transport's pauses and resumes. */
    private static final class RecordingReads implements ChatConnection.Reads {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void pause() {
            calls.add("pause");
        }

        @Override
        public void resume() {
            calls.add("resume");
        }
    }

    private ChatService serviceOn(ChatStore store) {
        ChatSettings settings = new ChatSettings(4000, 30, Duration.ofSeconds(30), 2, 5, 1000, 2, 100);
        return new ChatService(store, broker, viewers, new TypingTracker(settings, timers, System::nanoTime),
                (users, json, key) -> { }, settings);
    }

    @Test
    void sendsTheStoreHasNoRoomForAreHeldInOrderWithReadingPausedThenStoredWhenRoomComes() throws Exception {
        long conv = direct();
        JdbcChatStore real = new JdbcChatStore(pool);
        FullStore full = new FullStore(real);
        ChatService busy = serviceOn(full.store);
        RecordingReads reads = new RecordingReads();
        ChatConnection alices = new ChatConnection(busy, hub, new TestSession("h1", alice, loop), blocking, reads);
        List<String> answers = new CopyOnWriteArrayList<>();
        onLoop(() -> {
            for (int i = 1; i <= 3; i++) {
                String id = "c-" + i;
                alices.send(new SendRequest(conv, "hello " + i, id, null), null,
                        r -> answers.add(id + " seq " + r.message().seq()), e -> answers.add(id + " error " + e.getMessage()));
            }
        });
        assertThat(onLoop(alices::heldSends)).isEqualTo(3);
        assertThat(reads.calls).as("reading stops once, at the first held send").containsExactly("pause");
        assertThat(full.waiters).as("one waiter per connection, not per send").hasSize(1);
        assertThat(answers).as("nothing answered while held: no rate_limited").isEmpty();
        assertThat(real.lastSeq(conv)).isZero();

        full.room();
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
        // Stored in the order sent; acks may pass each other (each names its client id).
        assertThat(answers).containsExactlyInAnyOrder("c-1 seq 1", "c-2 seq 2", "c-3 seq 3");
        assertThat(onLoop(alices::heldSends)).isZero();
        assertThat(reads.calls).containsExactly("pause", "resume");

        onLoop(() -> alices.send(new SendRequest(conv, "hello 4", "c-4", null), null,
                r -> answers.add("c-4 seq " + r.message().seq()), e -> answers.add("c-4 error " + e.getMessage())));
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 4);
        assertThat(answers.get(3)).isEqualTo("c-4 seq 4");
        assertThat(reads.calls).as("a send with room is not held").containsExactly("pause", "resume");
    }

    @Test
    void aSendHeldTooLongOrBeyondTheHeldLimitIsRefusedRateLimitedAndReadingResumes() throws Exception {
        long conv = direct();
        FullStore full = new FullStore(new JdbcChatStore(pool));
        ChatService busy = serviceOn(full.store);
        RecordingReads reads = new RecordingReads();
        ChatConnection alices = new ChatConnection(busy, hub, new TestSession("h2", alice, loop), blocking, reads,
                Duration.ofMillis(300));
        String content = "x".repeat(4000);
        int fit = (int) (ChatConnection.MAX_HELD_BYTES / (2L * content.length() + 256));
        List<RuntimeException> errors = new CopyOnWriteArrayList<>();
        List<String> sent = new CopyOnWriteArrayList<>();
        onLoop(() -> {
            for (int i = 0; i <= fit; i++) {
                alices.send(new SendRequest(conv, content, "c-" + i, null), null, r -> sent.add("c"), errors::add);
            }
        });
        assertThat(errors).as("the one beyond the held bytes is refused at once").hasSize(1);
        assertThat(ChatError.of(errors.get(0)).code()).isEqualTo("rate_limited");
        assertThat(errors.get(0).getMessage()).contains(fit + " of this connection's messages are waiting");
        assertThat(busy.heldBytes()).isEqualTo(fit * (2L * content.length() + 256));

        await().atMost(Duration.ofSeconds(10)).until(() -> errors.size() == 1 + fit);
        assertThat(errors).allSatisfy(e -> assertThat(ChatError.of(e).code()).isEqualTo("rate_limited"));
        assertThat(errors.get(1).getMessage()).contains("waited 300 ms for room");
        assertThat(sent).isEmpty();
        assertThat(onLoop(alices::heldSends)).isZero();
        assertThat(busy.heldBytes()).as("given back").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> reads.calls.equals(List.of("pause", "resume")));

        full.room(); // the waiter registered for the expired sends finds nothing to send
        onLoop(() -> { });
        assertThat(sent).isEmpty();
    }

    @Test
    void theNodesBudgetForHeldSendsIsSharedByItsConnections() {
        ChatService service = serviceOn(new JdbcChatStore(pool));
        assertThat(service.reserveHeld(ChatService.MAX_HELD_BYTES_PER_NODE)).isTrue();
        assertThat(service.reserveHeld(1)).as("spent").isFalse();
        assertThat(service.heldBytes()).isEqualTo(ChatService.MAX_HELD_BYTES_PER_NODE);
        service.releaseHeld(ChatService.MAX_HELD_BYTES_PER_NODE);
        assertThat(service.reserveHeld(1)).isTrue();
    }

    @Test
    void aConnectionClosedWhileHoldingAnswersNothingAndStoresNothing() throws Exception {
        long conv = direct();
        JdbcChatStore real = new JdbcChatStore(pool);
        FullStore full = new FullStore(real);
        ChatService busy = serviceOn(full.store);
        ChatConnection alices = new ChatConnection(busy, hub, new TestSession("h3", alice, loop),
                blocking, new RecordingReads(), Duration.ofMillis(200));
        List<String> answers = new CopyOnWriteArrayList<>();
        onLoop(() -> alices.send(new SendRequest(conv, "hello", "c-1", null), null, r -> answers.add("sent"),
                e -> answers.add("error")));
        assertThat(busy.heldBytes()).isPositive();
        onLoop(alices::closed);
        assertThat(busy.heldBytes()).as("given back with the connection").isZero();
        full.room();
        Thread.sleep(400); // past the hold limit: the timer was cancelled with the connection
        onLoop(() -> { });
        assertThat(answers).isEmpty();
        assertThat(real.lastSeq(conv)).isZero();
    }
}
