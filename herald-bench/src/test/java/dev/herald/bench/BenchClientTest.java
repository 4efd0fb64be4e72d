package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BenchClient} reading Herald's Socket.IO frames, on an {@link EmbeddedChannel}. */
class BenchClientTest {

    private final LoadContext ctx = new LoadContext(null);
    private final List<Boolean> settled = new ArrayList<>();

    private BenchClient client(Target.Subscription sub, String connectPacket) {
        return new BenchClient(Target.HERALD_SIO, sub, connectPacket, ctx, (c, ok) -> settled.add(ok));
    }

    private static void receive(EmbeddedChannel ch, String frame) {
        ch.writeInbound(new TextWebSocketFrame(frame));
    }

    private static String sent(EmbeddedChannel ch) {
        TextWebSocketFrame f = ch.readOutbound();
        if (f == null) {
            return null;
        }
        String text = f.text();
        f.release();
        return text;
    }

    private static String notification(long seq) {
        return "42[\"notification\",{\"type\":\"bench\",\"t\":" + System.nanoTime() + ",\"i\":" + seq
                + ",\"p\":\"xx\",\"id\":\"n" + seq + "\",\"seq\":" + seq + ",\"created_at\":\"2026-12-06T16:00:00Z\"}]";
    }

    @Test
    void authenticatesAnswersPingsAndCountsNotificationsWithTheirSeqs() {
        BenchClient client = client(new Target.Subscription("room.bench", "bench", -1), "40{\"token\":\"abc\"}");
        EmbeddedChannel ch = new EmbeddedChannel(client);
        receive(ch, "0{\"sid\":\"s1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}");
        assertThat(sent(ch)).isEqualTo("40{\"token\":\"abc\"}");
        receive(ch, "40{\"sid\":\"k1\"}");
        assertThat(settled).containsExactly(true);
        receive(ch, "42[\"unreadCount\",0]");
        receive(ch, "2");
        assertThat(sent(ch)).isEqualTo("3");
        for (long seq : new long[] {5, 6, 8, 8, 9}) {   // 7 missing, 8 twice
            receive(ch, notification(seq));
            receive(ch, "42[\"unreadCount\"," + seq + "]");
        }
        // The same notification under Herald's second name is not a second delivery.
        receive(ch, notification(10).replace("\"notification\"", "\"newNotification\""));
        assertThat(client.received).isEqualTo(5);
        assertThat(ctx.delivered.sum()).isEqualTo(5);
        assertThat(client.lastSeq).isEqualTo(9);
        assertThat(client.gaps).isEqualTo(1);
        assertThat(client.duplicates).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aResumingClientChecksSeqsFromItsSinceAndCountsAsCaughtUpAtTheTarget() {
        ctx.catchUpSeq = 12;
        BenchClient client = client(new Target.Subscription("s1", "storm", 10), "40{}");
        EmbeddedChannel ch = new EmbeddedChannel(client);
        receive(ch, "40{\"sid\":\"k2\"}");
        assertThat(client.lastSeq).isEqualTo(10);
        receive(ch, notification(12));   // 11 never came
        assertThat(client.gaps).isEqualTo(1);
        assertThat(ctx.caughtUp.sum()).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aChatClientJoinsSendsWithAcksAndCountsOnlyItsPartnersMessages() {
        BenchClient client = client(new Target.Subscription("c0", null, -1, 7), "40{}");
        EmbeddedChannel ch = new EmbeddedChannel(client);
        receive(ch, "40{\"sid\":\"k3\"}");
        assertThat(settled).isEmpty();   // ready once joined, not at connect
        assertThat(sent(ch)).isEqualTo("420[\"joinConversation\",{\"conversationId\":7}]");
        receive(ch, "430[{\"ok\":true,\"conversationId\":7,\"lastSeq\":3,\"unreadCount\":0,\"conversation\":{\"id\":7}}]");
        assertThat(settled).containsExactly(true);
        assertThat(client.lastSeq).isEqualTo(3);

        String content = Payload.of(System.nanoTime(), 1);
        client.sendChat("m1", content);
        client.sendChat("m2", content);
        assertThat(sent(ch)).startsWith("421[\"sendMessage\",{\"conversationId\":7,\"clientId\":\"m1\",");
        assertThat(sent(ch)).startsWith("422[\"sendMessage\",{\"conversationId\":7,\"clientId\":\"m2\",");
        String escaped = HeraldChatFrames.string(content);
        receive(ch, "431[{\"id\":1,\"conversation_id\":7,\"seq\":4,\"sender_id\":\"c0\",\"content\":" + escaped + "}]");
        receive(ch, "432[{\"error\":\"slow down\",\"code\":\"rate_limited\"}]");
        assertThat(ctx.acks.sum()).isEqualTo(1);
        assertThat(ctx.errors.sum()).isEqualTo(1);
        assertThat(ctx.firstError.get()).contains("rate_limited");

        receive(ch, "42[\"newMessage\",{\"id\":1,\"conversation_id\":7,\"seq\":4,\"sender_id\":\"c0\",\"content\":"
                + escaped + "}]");
        receive(ch, "42[\"newMessage\",{\"id\":2,\"conversation_id\":7,\"seq\":5,\"sender_id\":\"c1\",\"content\":"
                + escaped + "}]");
        receive(ch, "42[\"userTyping\",{\"userId\":\"c1\",\"conversationId\":7}]");
        assertThat(client.received).isEqualTo(1);   // the partner's message; its own is no delivery
        assertThat(client.lastSeq).isEqualTo(5);
        assertThat(client.gaps + client.duplicates).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aRefusedJoinEndsTheChatClient() {
        BenchClient client = client(new Target.Subscription("c2", null, -1, 9), "40{}");
        EmbeddedChannel ch = new EmbeddedChannel(client);
        receive(ch, "40{\"sid\":\"k4\"}");
        sent(ch);
        receive(ch, "430[{\"error\":\"no conversation 9\",\"code\":\"conversation_not_found\"}]");
        assertThat(ch.isOpen()).isFalse();
        assertThat(settled).containsExactly(false);
        assertThat(client.failure).contains("conversation_not_found");
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectErrorEndsTheClientWithItsReason() {
        BenchClient client = client(new Target.Subscription("u1", null, -1), "40{\"token\":\"bad\"}");
        EmbeddedChannel ch = new EmbeddedChannel(client);
        receive(ch, "44{\"message\":\"invalid token: bad signature\",\"data\":{\"code\":\"invalid_token\"}}");
        assertThat(ch.isOpen()).isFalse();
        assertThat(settled).containsExactly(false);
        assertThat(client.failure).contains("invalid_token");
        ch.finishAndReleaseAll();
    }
}
