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

    @Test
    void buildsTheSocketIoJoinAndSendWithTheirAckIds() {
        assertThat(HeraldChatFrames.joinEvent(0, 42)).isEqualTo("420[\"joinConversation\",{\"conversationId\":42}]");
        String send = HeraldChatFrames.sendMessageEvent(5, 3, "m7", Payload.of(123456789012L, 7));
        assertThat(send).startsWith("425[\"sendMessage\",{\"conversationId\":3,\"clientId\":\"m7\","
                + "\"content\":\"{\\\"t\\\":123456789012,\\\"i\\\":7,");
        assertThat(send).endsWith("x\\\"}\"}]");
    }

    @Test
    void aSocketIoClientAuthenticatesInTheConnectPacketAsItsUserOrItsRoom() {
        Jwt jwt = new Jwt("bench-secret-0123456789-0123456789-abcdef");
        assertThat(Target.HERALD_SIO.wsPath(new Target.Subscription("u4", null, -1), jwt))
                .isEqualTo("/socket.io/?EIO=4&transport=websocket");
        String user = Target.HERALD_SIO.connectPacket(new Target.Subscription("u4", null, -1), jwt);
        assertThat(user).startsWith("40{\"token\":\"").endsWith("\"}").doesNotContain("since");
        assertThat(claims(user)).contains("\"sub\":\"u4\"");
        String resuming = Target.HERALD_SIO.connectPacket(new Target.Subscription("s3", "storm", 17), jwt);
        assertThat(resuming).endsWith("\",\"since\":17}");
        assertThat(claims(resuming)).contains("\"sub\":\"room.storm\"");
        assertThat(Target.SOCKETIO.connectPacket(new Target.Subscription("u4", null, -1), jwt)).isEqualTo("40");
        assertThat(Target.HERALD.connectPacket(new Target.Subscription("u4", null, -1), jwt)).isNull();
        assertThatThrownBy(() -> Target.HERALD_SIO.chatFrame("c5", Payload.of(1, 2)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSocketIoRoomPublishGoesToTheRoomsUser() {
        String payload = Payload.of(5, 6);
        assertThat(Target.HERALD_SIO.publishPath("bench", null)).isEqualTo("/api/v1/notifications");
        assertThat(Target.HERALD_SIO.publishBody("bench", null, payload))
                .startsWith("{\"to\":{\"user\":\"room.bench\"},\"notification\":{\"type\":\"bench\",\"t\":5,");
        assertThat(Target.HERALD_SIO.publishBody(null, "u3", payload)).startsWith("{\"to\":{\"user\":\"u3\"},");
        assertThat(Target.of("herald-sio")).isEqualTo(Target.HERALD_SIO);
        assertThat(Target.HERALD_SIO.herald()).isTrue();
        assertThat(Target.SOCKETIO.herald()).isFalse();
    }

    /** The claims of the token in a Socket.IO CONNECT packet {@code 40{"token":"h.c.s",...}}. */
    private static String claims(String connect) {
        String token = connect.substring(connect.indexOf("\"token\":\"") + 9);
        token = token.substring(0, token.indexOf('"'));
        return new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }
}
