package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeraldChatFramesTest {

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static HeraldChatFrames.Kind kindOf(String frame) {
        ByteBuf b = buf(frame);
        try {
            return HeraldChatFrames.kind(b);
        } finally {
            b.release();
        }
    }

    @Test
    void tellsEachServerFrameByItsLeadingType() {
        assertThat(kindOf("{\"type\":\"connected\",\"connection_id\":\"6f1c\",\"user_id\":\"c0\"}"))
                .isEqualTo(HeraldChatFrames.Kind.CONNECTED);
        assertThat(kindOf("{\"type\":\"joined\",\"conversation_id\":3,\"seq\":0,\"last_read_seq\":0}"))
                .isEqualTo(HeraldChatFrames.Kind.JOINED);
        assertThat(kindOf("{\"type\":\"message\",\"id\":9,\"conversation_id\":3,\"seq\":1}"))
                .isEqualTo(HeraldChatFrames.Kind.MESSAGE);
        assertThat(kindOf("{\"type\":\"ack\",\"client_id\":\"m1\",\"message\":{\"id\":9}}"))
                .isEqualTo(HeraldChatFrames.Kind.ACK);
        assertThat(kindOf("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}"))
                .isEqualTo(HeraldChatFrames.Kind.ERROR);
        assertThat(kindOf("{\"type\":\"presence\",\"user_id\":\"c1\",\"status\":\"online\"}"))
                .isEqualTo(HeraldChatFrames.Kind.OTHER);
        assertThat(kindOf("{\"type\":\"message_deleted\",\"id\":9}")).isEqualTo(HeraldChatFrames.Kind.OTHER);
        assertThat(kindOf("")).isEqualTo(HeraldChatFrames.Kind.OTHER);
    }

    @Test
    void sendsThePayloadAsTheContentStringWithItsQuotesEscaped() {
        String frame = HeraldChatFrames.sendMessage(3, "m7", Payload.of(123456789012L, 7));
        assertThat(frame).startsWith("{\"type\":\"send_message\",\"conversation_id\":3,\"client_id\":\"m7\","
                + "\"content\":\"{\\\"t\\\":123456789012,\\\"i\\\":7,\\\"p\\\":\\\"xxx");
        assertThat(frame).endsWith("x\\\"}\"}");
        // What the load generator scans in the echoed message finds the send time again.
        ByteBuf b = buf(frame);
        assertThat(FrameScanner.longField(b, Payload.T_IN_TEXT, -1)).isEqualTo(123456789012L);
        b.release();
    }

    @Test
    void escapesBackslashesAndRefusesControlCharacters() {
        assertThat(HeraldChatFrames.string("a\\b\"c")).isEqualTo("\"a\\\\b\\\"c\"");
        assertThatThrownBy(() -> HeraldChatFrames.string("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character at 1");
    }

    @Test
    void buildsTheJoinAndTheDirectConversationOfAPair() {
        assertThat(HeraldChatFrames.join(42)).isEqualTo("{\"type\":\"join\",\"conversation_id\":42}");
        assertThat(HeraldChatFrames.directConversation("c0", "c1"))
                .isEqualTo("{\"kind\":\"direct\",\"members\":[\"c0\",\"c1\"]}");
    }

    @Test
    void theSenderMarkOfOneUserDoesNotMatchAUserWhoseIdItPrefixes() {
        ByteBuf fromC17 = buf("{\"type\":\"message\",\"seq\":2,\"sender_id\":\"c17\",\"content\":\"x\"}");
        ByteBuf fromC1 = buf("{\"type\":\"message\",\"seq\":3,\"sender_id\":\"c1\",\"content\":\"x\"}");
        byte[] c1 = HeraldChatFrames.sender("c1");
        assertThat(FrameScanner.indexOf(fromC17, c1, fromC17.readerIndex())).isEqualTo(-1);
        assertThat(FrameScanner.indexOf(fromC1, c1, fromC1.readerIndex())).isPositive();
        fromC17.release();
        fromC1.release();
    }

    @Test
    void aChatClientOpensTheChatSocketAndANotificationClientDoesNot() {
        Jwt jwt = new Jwt("bench-secret-0123456789-0123456789-abcdef");
        assertThat(Target.HERALD.wsPath(new Target.Subscription("c4", null, -1, 12), jwt))
                .startsWith("/ws/chat?access_token=").doesNotContain("&");
        assertThat(Target.HERALD.wsPath(new Target.Subscription("u4", null, -1), jwt))
                .startsWith("/ws/notifications?access_token=");
        assertThatThrownBy(() -> Target.HERALD.chatFrame("c5", Payload.of(1, 2)))
                .isInstanceOf(IllegalStateException.class);
    }
}
