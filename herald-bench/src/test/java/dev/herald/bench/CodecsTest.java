package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecsTest {

    @Test
    void signsTheWellKnownHs256TestVector() {
        // RFC 7519-style example published on jwt.io with the secret "your-256-bit-secret".
        Jwt jwt = new Jwt("your-256-bit-secret");
        String token = jwt.sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}");
        assertThat(token).endsWith(".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    }

    @Test
    void putsSubExpiryAndTopicsInAUserToken() {
        String token = new Jwt("bench-secret-0123456789-0123456789-abcdef").userToken("u7", List.of("branch:bench"));
        String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(claims).startsWith("{\"sub\":\"u7\",\"exp\":").endsWith(",\"topics\":[\"branch:bench\"]}");
    }

    @Test
    void encodesServerTextFramesWithEachLengthForm() {
        for (int len : new int[] {0, 125, 126, 65535, 65536}) {
            ByteBuf payload = Unpooled.wrappedBuffer(new byte[len]);
            ByteBuf frame = WsFrames.text(ByteBufAllocator.DEFAULT, payload);
            assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
            int header;
            if (len < 126) {
                assertThat(frame.getUnsignedByte(1)).isEqualTo((short) len);
                header = 2;
            } else if (len <= 65535) {
                assertThat(frame.getUnsignedByte(1)).isEqualTo((short) 126);
                assertThat(frame.getUnsignedShort(2)).isEqualTo(len);
                header = 4;
            } else {
                assertThat(frame.getUnsignedByte(1)).isEqualTo((short) 127);
                assertThat(frame.getLong(2)).isEqualTo(len);
                header = 10;
            }
            assertThat(frame.readableBytes()).isEqualTo(header + len);
            assertThat(payload.readerIndex()).isZero();
            frame.release();
            payload.release();
        }
    }

    @Test
    void buildsHeraldPublishBodiesForATopicAndForAUser() {
        String payload = Payload.of(5, 6);
        assertThat(Target.HERALD.publishBody("bench", null, payload))
                .startsWith("{\"to\":{\"topic\":\"branch:bench\"},\"notification\":{\"type\":\"bench\",\"t\":5,\"i\":6,");
        assertThat(Target.HERALD.publishBody(null, "u3", payload)).startsWith("{\"to\":{\"user\":\"u3\"},");
        assertThat(Target.SOCKETIO.publishPath(null, "u3")).isEqualTo("/publish?room=user:u3");
        assertThat(Target.NETTY.publishBody("bench", null, payload)).isEqualTo(payload);
        assertThat(Target.SOCKETIO.chatFrame("c2", payload)).startsWith("42[\"chat\",{\"to\":\"c2\",\"t\":5,");
    }

    @Test
    void sumsTheHeapPoolsOfAPrometheusExposition() {
        String metrics = "# HELP jvm_memory_used_bytes x\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1000.0\n"
                + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 5.0E7\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.5E3\n";
        assertThat(ServerProbe.sumHeap(metrics)).isEqualTo(3500);
        assertThatThrownBy(() -> ServerProbe.sumHeap("up 1\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
