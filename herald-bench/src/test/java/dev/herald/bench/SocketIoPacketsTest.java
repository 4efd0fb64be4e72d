package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
}
