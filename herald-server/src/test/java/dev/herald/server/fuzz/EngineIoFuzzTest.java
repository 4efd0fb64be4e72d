package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.socketio.engine.EngineDecodeException;
import dev.herald.socketio.engine.EngineIoCodec;
import dev.herald.socketio.engine.EnginePacket;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Engine.IO v4 decoding of what a client sends: one packet per WebSocket text frame
 * ({@link EngineIoCodec#decodePacket}) and a long-polling POST body of packets joined by
 * {@code \u001e} ({@link EngineIoCodec#decodePayload}). Contract: a packet, or
 * {@link EngineDecodeException}; nothing else. What decodes must encode back to a form that
 * decodes to the same packets.
 */
class EngineIoFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void engineIoPacketsNeverThrowAnythingButDecodeErrors(byte[] input) {
        String frame = new String(input, StandardCharsets.UTF_8);
        EnginePacket packet;
        try {
            packet = EngineIoCodec.decodePacket(frame);
        } catch (EngineDecodeException expected) {
            return;
        }
        String polled = EngineIoCodec.encodeForPolling(packet);
        try {
            assertThat(EngineIoCodec.decodePacket(polled)).isEqualTo(packet);
        } catch (EngineDecodeException e) {
            throw new AssertionError("re-encoded packet does not decode: " + polled, e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void engineIoPayloadsNeverThrowAnythingButDecodeErrors(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        List<EnginePacket> packets;
        try {
            packets = EngineIoCodec.decodePayload(body);
        } catch (EngineDecodeException expected) {
            return;
        }
        assertThat(packets).isNotEmpty();
        String again = EngineIoCodec.encodePayload(packets);
        try {
            assertThat(EngineIoCodec.decodePayload(again)).isEqualTo(packets);
        } catch (EngineDecodeException e) {
            throw new AssertionError("re-encoded payload does not decode: " + again, e);
        }
    }
}
