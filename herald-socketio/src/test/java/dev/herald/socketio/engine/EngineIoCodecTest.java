package dev.herald.socketio.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineIoCodecTest {
    @Test
    void decodesEachPacketTypeWithItsData() throws Exception {
        assertThat(EngineIoCodec.decodePacket("4hello")).isEqualTo(EnginePacket.message("hello"));
        assertThat(EngineIoCodec.decodePacket("2probe")).isEqualTo(EnginePacket.of(EnginePacketType.PING, "probe"));
        assertThat(EngineIoCodec.decodePacket("3").type()).isEqualTo(EnginePacketType.PONG);
        assertThat(EngineIoCodec.decodePacket("5").type()).isEqualTo(EnginePacketType.UPGRADE);
        assertThat(EngineIoCodec.decodePacket("6").type()).isEqualTo(EnginePacketType.NOOP);
        assertThat(EngineIoCodec.decodePacket("1").type()).isEqualTo(EnginePacketType.CLOSE);
    }

    @Test
    void decodesBase64BinaryPackets() throws Exception {
        EnginePacket p = EngineIoCodec.decodePacket("bAQIDBA==");
        assertThat(p.isBinary()).isTrue();
        assertThat(p.binaryData()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void rejectsUnknownTypesEmptyPacketsAndBadBase64() {
        assertThatThrownBy(() -> EngineIoCodec.decodePacket("abc")).isInstanceOf(EngineDecodeException.class);
        assertThatThrownBy(() -> EngineIoCodec.decodePacket("7")).isInstanceOf(EngineDecodeException.class);
        assertThatThrownBy(() -> EngineIoCodec.decodePacket("")).isInstanceOf(EngineDecodeException.class);
        assertThatThrownBy(() -> EngineIoCodec.decodePacket("b!!!")).isInstanceOf(EngineDecodeException.class);
    }

    @Test
    void splitsPayloadsOnTheRecordSeparator() throws Exception {
        assertThat(EngineIoCodec.decodePayload("4test1\u001e4test2\u001ebAQIDBA=="))
                .containsExactly(EnginePacket.message("test1"), EnginePacket.message("test2"),
                        EnginePacket.binary(new byte[] {1, 2, 3, 4}));
    }

    @Test
    void rejectsAnEmptyPayloadAndAPayloadWithAnEmptyPacket() {
        assertThatThrownBy(() -> EngineIoCodec.decodePayload("")).isInstanceOf(EngineDecodeException.class);
        assertThatThrownBy(() -> EngineIoCodec.decodePayload("4a\u001e\u001e4b"))
                .isInstanceOf(EngineDecodeException.class);
    }

    @Test
    void encodesPayloadsWithBinaryAsBase64AndRoundTrips() throws Exception {
        List<EnginePacket> packets = List.of(EnginePacket.message("hello"), EnginePacket.binary(new byte[] {1, 2, 3, 4}),
                EnginePacket.PING, EnginePacket.message("é ✓ \uD83D\uDE00"));
        String payload = EngineIoCodec.encodePayload(packets);
        assertThat(payload).isEqualTo("4hello\u001ebAQIDBA==\u001e2\u001e4é ✓ \uD83D\uDE00");
        assertThat(EngineIoCodec.decodePayload(payload)).isEqualTo(packets);
    }

    @Test
    void textFrameBytesAreTheUtf8OfTypeAndData() {
        assertThat(EnginePacket.message("é").utf8()).containsExactly('4', 0xC3 - 256, 0xA9 - 256);
    }
}
