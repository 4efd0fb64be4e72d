package dev.herald.server.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Pre-framed bytes decode, with Netty's own client-side decoder, to the same text at every length class. */
class WsFramesTest {

    @Test
    void framesOfEveryLengthClassDecodeToTheirPayload() {
        for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
            String text = "x".repeat(length);
            EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
            client.writeInbound(Unpooled.wrappedBuffer(WsFrames.text(text.getBytes(StandardCharsets.UTF_8))));
            TextWebSocketFrame frame = client.readInbound();
            assertThat(frame).as("a frame of %d bytes", length).isNotNull();
            assertThat(frame.isFinalFragment()).isTrue();
            assertThat(frame.text()).isEqualTo(text);
            frame.release();
            assertThat(client.finishAndReleaseAll()).isFalse();
        }
    }
}
