package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SocketIoPacketsTest {

    private static SocketIoPackets.Kind kind(String frame) {
        ByteBuf buf = Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
        try {
            return SocketIoPackets.kind(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void classifiesTheFramesOfAnEngineIoV4SocketIoV5Session() {
        assertThat(kind("0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}"))
                .isEqualTo(SocketIoPackets.Kind.OPEN);
        assertThat(kind("40{\"sid\":\"def\"}")).isEqualTo(SocketIoPackets.Kind.CONNECTED);
        assertThat(kind("2")).isEqualTo(SocketIoPackets.Kind.PING);
        assertThat(kind("42[\"msg\",{\"t\":1}]")).isEqualTo(SocketIoPackets.Kind.EVENT);
        assertThat(kind("41")).isEqualTo(SocketIoPackets.Kind.DISCONNECT);
        assertThat(kind("44{\"message\":\"not authorized\"}")).isEqualTo(SocketIoPackets.Kind.CONNECT_ERROR);
    }

    @Test
    void treatsProbesNoopsAndEmptyFramesAsOther() {
        assertThat(kind("2probe")).isEqualTo(SocketIoPackets.Kind.OTHER);
        assertThat(kind("6")).isEqualTo(SocketIoPackets.Kind.OTHER);
        assertThat(kind("4")).isEqualTo(SocketIoPackets.Kind.OTHER);
        assertThat(kind("")).isEqualTo(SocketIoPackets.Kind.OTHER);
    }

    @Test
    void encodesAnEventAndReadsItsNameBack() {
        String frame = SocketIoPackets.event("chat", "{\"to\":\"c1\"}");
        assertThat(frame).isEqualTo("42[\"chat\",{\"to\":\"c1\"}]");
        ByteBuf buf = Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
        assertThat(SocketIoPackets.eventName(buf)).isEqualTo("chat");
        buf.release();
        ByteBuf notEvent = Unpooled.copiedBuffer("40{}", StandardCharsets.UTF_8);
        assertThat(SocketIoPackets.eventName(notEvent)).isNull();
        notEvent.release();
    }

    @Test
    void encodesAnEventAskingForAnAckAndTheConnectWithAuth() {
        assertThat(SocketIoPackets.event(12, "sendMessage", "{\"a\":1}")).isEqualTo("4212[\"sendMessage\",{\"a\":1}]");
        assertThat(SocketIoPackets.event(0, "joinConversation", "{}")).isEqualTo("420[\"joinConversation\",{}]");
        assertThatThrownBy(() -> SocketIoPackets.event(-1, "x", "{}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ackId");
        assertThat(SocketIoPackets.connect("{\"token\":\"abc\"}")).isEqualTo("40{\"token\":\"abc\"}");
    }

    @Test
    void readsTheIdOfAnAckAndWhetherItIsARefusal() {
        assertThat(kind("437[{\"ok\":true}]")).isEqualTo(SocketIoPackets.Kind.ACK);
        ByteBuf answer = Unpooled.copiedBuffer("4312[{\"id\":9,\"seq\":3}]", StandardCharsets.UTF_8);
        ByteBuf refusal = Unpooled.copiedBuffer("430[{\"error\":\"not a member\",\"code\":\"conversation_not_found\"}]",
                StandardCharsets.UTF_8);
        ByteBuf noId = Unpooled.copiedBuffer("43[{\"ok\":true}]", StandardCharsets.UTF_8);
        ByteBuf event = Unpooled.copiedBuffer("427[\"x\",{}]", StandardCharsets.UTF_8);
        byte[] error = FrameScanner.key("error");
        assertThat(SocketIoPackets.ackId(answer)).isEqualTo(12);
        assertThat(SocketIoPackets.ackId(refusal)).isZero();
        assertThat(SocketIoPackets.ackId(noId)).isEqualTo(-1);
        assertThat(SocketIoPackets.ackId(event)).isEqualTo(-1);
        assertThat(SocketIoPackets.ackStartsWithKey(refusal, error)).isTrue();
        assertThat(SocketIoPackets.ackStartsWithKey(answer, error)).isFalse();
        // An answer that has an "error" key further in is not a refusal.
        ByteBuf later = Unpooled.copiedBuffer("432[{\"ok\":true,\"error\":null}]", StandardCharsets.UTF_8);
        assertThat(SocketIoPackets.ackStartsWithKey(later, error)).isFalse();
        for (ByteBuf b : new ByteBuf[] {answer, refusal, noId, event, later}) {
            b.release();
        }
    }

    @Test
    void theEventPrefixMatchesThatEventOnly() {
        byte[] notification = SocketIoPackets.eventPrefix("notification");
        ByteBuf n = Unpooled.copiedBuffer("42[\"notification\",{\"type\":\"bench\",\"seq\":4}]", StandardCharsets.UTF_8);
        ByteBuf other = Unpooled.copiedBuffer("42[\"newNotification\",{\"seq\":4}]", StandardCharsets.UTF_8);
        ByteBuf longer = Unpooled.copiedBuffer("42[\"notifications\",{\"seq\":4}]", StandardCharsets.UTF_8);
        ByteBuf withAck = Unpooled.copiedBuffer("421[\"notification\",{\"seq\":4}]", StandardCharsets.UTF_8);
        assertThat(FrameScanner.startsWith(n, notification)).isTrue();
        assertThat(FrameScanner.startsWith(other, notification)).isFalse();
        assertThat(FrameScanner.startsWith(longer, notification)).isFalse();
        assertThat(FrameScanner.startsWith(withAck, notification)).isFalse();
        for (ByteBuf b : new ByteBuf[] {n, other, longer, withAck}) {
            b.release();
        }
    }
}
