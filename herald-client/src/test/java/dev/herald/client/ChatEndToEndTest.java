package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chat between two clients through a real node: acks, one copy per message, typing, receipts, reactions. */
class ChatEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    /** Records a client's chat events as text. */
    private static final class ChatLog implements ChatListener {
        final List<ChatMessage> messages = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(ChatMessage message) {
            messages.add(message);
        }

        @Override
        public void onTyping(long conversationId, String userId, boolean typing) {
            events.add((typing ? "typing " : "stop_typing ") + userId);
        }

        @Override
        public void onReadReceipt(long conversationId, String userId, long seq) {
            events.add("read " + userId + " " + seq);
        }

        @Override
        public void onReaction(Reaction reaction) {
            events.add("reaction " + reaction.userId() + " " + reaction.emoji() + " " + reaction.seq() + " " + (reaction.added() ? "added" : "removed"));
        }
    }

    private static HeraldClient client(String user) {
        return HeraldClient.builder().url(herald.node().url()).token(Tokens.user(user, Duration.ofHours(1))).build();
    }

    @Test
    void aSendIsAcknowledgedAndEachMemberGetsEveryMessageOnce() throws Exception {
        Conversation c = herald.admin().createConversation("direct", List.of("c-alice", "c-bob"), null);
        try (HeraldClient alice = client("c-alice"); HeraldClient bob = client("c-bob")) {
            ChatLog aliceLog = new ChatLog();
            ChatLog bobLog = new ChatLog();
            alice.addChatListener(aliceLog);
            bob.addChatListener(bobLog);
            Joined joined = alice.chat().join(c.id()).get(10, TimeUnit.SECONDS);
            assertThat(joined.conversationId()).isEqualTo(c.id());
            bob.chat().join(c.id()).get(10, TimeUnit.SECONDS);

            ChatMessage sent = alice.chat().send(c.id(), "Hey, are you available?", "tmp-1", null).get(10, TimeUnit.SECONDS);
            assertThat(sent.seq()).isEqualTo(1);
            assertThat(sent.senderId()).isEqualTo("c-alice");
            assertThat(sent.clientId()).isEqualTo("tmp-1");
            assertThat(sent.content()).isEqualTo("Hey, are you available?");

            // A retry keeps the client_id: Herald answers with the message it stored, nothing new.
            ChatMessage retried = alice.chat().send(c.id(), "Hey, are you available?", "tmp-1", null).get(10, TimeUnit.SECONDS);
            assertThat(retried.id()).isEqualTo(sent.id());

            ChatMessage second = bob.chat().send(c.id(), "Yes!").get(10, TimeUnit.SECONDS);
            assertThat(second.seq()).isEqualTo(2);

            await().atMost(Duration.ofSeconds(5)).until(() -> aliceLog.messages.size() >= 2 && bobLog.messages.size() >= 2);
            Thread.sleep(300); // bounded: a second copy (ack + message, or the retry) would arrive right behind
            assertThat(aliceLog.messages).extracting(ChatMessage::seq).containsExactly(1L, 2L);
            assertThat(bobLog.messages).extracting(ChatMessage::seq).containsExactly(1L, 2L);
            assertThat(alice.chat().history(c.id(), null, 10)).extracting(ChatMessage::id).containsExactly(sent.id(), second.id());
        }
    }

    @Test
    void typingReadReceiptsAndReactionsReachTheOtherMember() throws Exception {
        Conversation c = herald.admin().createConversation("direct", List.of("c-carol", "c-dan"), null);
        try (HeraldClient carol = client("c-carol"); HeraldClient dan = client("c-dan")) {
            ChatLog carolLog = new ChatLog();
            ChatLog danLog = new ChatLog();
            carol.addChatListener(carolLog);
            dan.addChatListener(danLog);
            carol.chat().join(c.id()).get(10, TimeUnit.SECONDS);
            dan.chat().join(c.id()).get(10, TimeUnit.SECONDS);

            carol.chat().typing(c.id());
            carol.chat().typing(c.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> danLog.events.contains("typing c-carol"));
            carol.chat().stopTyping(c.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> danLog.events.contains("stop_typing c-carol"));
            assertThat(danLog.events).containsExactly("typing c-carol", "stop_typing c-carol");

            ChatMessage m = carol.chat().send(c.id(), "Order is ready").get(10, TimeUnit.SECONDS);
            dan.chat().read(c.id(), m.seq());
            await().atMost(Duration.ofSeconds(5)).until(() -> carolLog.events.contains("read c-dan " + m.seq()));
            dan.chat().react(c.id(), m.seq(), "👍", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> carolLog.events.contains("reaction c-dan 👍 " + m.seq() + " added"));
            assertThat(carolLog.events).doesNotContain("typing c-carol"); // the typist never gets their own
        }
    }

    @Test
    void aNonMemberIsRefusedWithATypedError() throws Exception {
        Conversation c = herald.admin().createConversation("direct", List.of("c-erin", "c-fred"), null);
        try (HeraldClient mallory = client("c-mallory")) {
            ExecutionException join = catchThrowableOfType(ExecutionException.class, () -> mallory.chat().join(c.id()).get(10, TimeUnit.SECONDS));
            assertThat(((HeraldException) join.getCause()).kind()).isEqualTo(HeraldException.Kind.NOT_FOUND);
            assertThat(((HeraldException) join.getCause()).code()).isEqualTo("conversation_not_found");
            ExecutionException send = catchThrowableOfType(ExecutionException.class, () -> mallory.chat().send(c.id(), "hi").get(10, TimeUnit.SECONDS));
            assertThat(((HeraldException) send.getCause()).kind()).isEqualTo(HeraldException.Kind.NOT_FOUND);
        }
    }
}
