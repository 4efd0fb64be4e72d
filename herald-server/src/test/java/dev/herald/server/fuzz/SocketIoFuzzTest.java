package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.socketio.SocketIoCodec;
import dev.herald.socketio.SocketIoDecodeException;
import dev.herald.socketio.SocketIoDecoder;
import dev.herald.socketio.SocketIoPacket;
import dev.herald.socketio.engine.EngineDecodeException;
import dev.herald.socketio.engine.EngineIoCodec;
import dev.herald.socketio.engine.EnginePacket;
import dev.herald.socketio.engine.EnginePacketType;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Socket.IO v5 decoding ({@link SocketIoDecoder}), the one decoder with per-connection state:
 * a BINARY_EVENT or BINARY_ACK waits for its attachments. Contract: a packet, {@code null} while
 * attachments are due, or {@link SocketIoDecodeException}; nothing else. A decoded packet
 * re-encodes ({@link SocketIoCodec#encode}) to a wire form that decodes again to the same wire
 * form, so what Herald relays to other connections is valid Socket.IO. After a failure the
 * connection is closed; a fresh decoder (the next connection's) decodes as if nothing happened.
 */
class SocketIoFuzzTest {
    /** A valid packet every fresh decoder must take, whatever another decoder was fed. */
    private static final String PROBE = "2[\"probe\",{\"n\":1}]";

    /** One text packet on a fresh decoder, followed by as many attachments as it announces. */
    @FuzzTest(maxDuration = "2m")
    void socketIoPacketsNeverThrowAnythingButDecodeErrors(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        SocketIoDecoder decoder = new SocketIoDecoder();
        try {
            SocketIoPacket p = decoder.add(text);
            for (int i = 0; p == null; i++) {
                assertThat(i).as("attachments awaited for %s", text).isLessThan(SocketIoDecoder.MAX_ATTACHMENTS);
                p = decoder.addBinary(new byte[] {(byte) i});
            }
            assertReencodes(p);
        } catch (SocketIoDecodeException expected) {
            assertFreshDecoderWorks();
        }
    }

    /**
     * A long-polling body ({@code \u001e}-separated Engine.IO packets, binary ones as {@code b}
     * + base64) fed in order to one decoder, as one connection would send it.
     */
    @FuzzTest(maxDuration = "2m")
    void socketIoPacketSequencesOnOneConnectionNeverThrowAnythingButDecodeErrors(byte[] input) {
        List<EnginePacket> packets;
        try {
            packets = EngineIoCodec.decodePayload(new String(input, StandardCharsets.UTF_8));
        } catch (EngineDecodeException notEngineIo) {
            return;
        }
        SocketIoDecoder decoder = new SocketIoDecoder();
        try {
            for (EnginePacket packet : packets) {
                if (packet.type() != EnginePacketType.MESSAGE) {
                    continue;
                }
                SocketIoPacket p = packet.isBinary() ? decoder.addBinary(packet.binaryData()) : decoder.add(packet.text());
                if (p != null) {
                    assertReencodes(p);
                }
            }
        } catch (SocketIoDecodeException expected) {
            assertFreshDecoderWorks();
        }
    }

    private static void assertReencodes(SocketIoPacket p) {
        SocketIoCodec.Encoded wire = SocketIoCodec.encode(p);
        SocketIoDecoder decoder = new SocketIoDecoder();
        try {
            SocketIoPacket again = decoder.add(wire.text());
            for (byte[] attachment : wire.attachments()) {
                assertThat(again).as("complete before its last attachment: %s", wire.text()).isNull();
                again = decoder.addBinary(attachment);
            }
            assertThat(again).as("incomplete after its attachments: %s", wire.text()).isNotNull();
            assertThat(SocketIoCodec.encode(again).text()).isEqualTo(wire.text());
        } catch (SocketIoDecodeException e) {
            throw new AssertionError("Herald's own encoding of " + p + " does not decode: " + wire.text(), e);
        }
    }

    private static void assertFreshDecoderWorks() {
        try {
            assertThat(new SocketIoDecoder().add(PROBE)).isNotNull();
        } catch (SocketIoDecodeException e) {
            throw new AssertionError("a fresh decoder refused " + PROBE, e);
        }
    }
}
