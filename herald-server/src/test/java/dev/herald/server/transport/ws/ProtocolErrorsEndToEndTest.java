package dev.herald.server.transport.ws;

import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that breaks the WebSocket protocol has its connection failed (RFC 6455 7.1.7): the
 * close frame with the code that says why, then the TCP connection ends at once. The server's
 * own closes keep the close handshake, so the client reads the code before the connection goes.
 */
class ProtocolErrorsEndToEndTest {
    private static final Duration AT_ONCE = Duration.ofMillis(500);
    private static final byte[] NOT_UTF8 = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};

    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    private RawWebSocket connect(String user) throws Exception {
        TestServer server = node.server();
        RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws/notifications?access_token=" + server.tokens.forUser(user));
        assertThat(ws.read(Duration.ofSeconds(5)).text()).contains("\"type\":\"connected\"");
        return ws;
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesWith1007AndEndsTheConnectionAtOnce() throws Exception {
        try (RawWebSocket ws = connect("pe-1")) {
            ws.sendText(NOT_UTF8);

            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1007);
            assertThat(ws.endsWithin(AT_ONCE)).isTrue();
        }
    }

    @Test
    void aFragmentedMessageThatIsNotUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket ws = connect("pe-2")) {
            ws.sendFrame(false, 0x1, true, "{\"type\":\"pi".getBytes(StandardCharsets.UTF_8));
            ws.sendFrame(true, 0x0, true, new byte[] {'n', 'g', (byte) 0xff, '"', '}'});

            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1007);
            assertThat(ws.endsWithin(AT_ONCE)).isTrue();
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002AndTheServerEndsTheConnectionAtOnce() throws Exception {
        try (RawWebSocket ws = connect("pe-3")) {
            ws.sendFrame(true, 0x1, false, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1002);
            assertThat(ws.endsWithin(AT_ONCE)).isTrue();
        }
    }

    @Test
    void aReservedOpcodeClosesWith1002AndTheServerEndsTheConnectionAtOnce() throws Exception {
        try (RawWebSocket ws = connect("pe-4")) {
            ws.sendFrame(true, 0x3, true, new byte[0]);

            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1002);
            assertThat(ws.endsWithin(AT_ONCE)).isTrue();
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWith1009AndEndsTheConnectionAtOnce() throws Exception {
        try (RawWebSocket ws = connect("pe-5")) {
            ws.sendText(("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8));

            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1009);
            assertThat(ws.endsWithin(AT_ONCE)).isTrue();
        }
    }

    @Test
    void aServerCloseWaitsForTheClientsAnswerAndEndsOnceItComes() throws Exception {
        String shortLived = node.server().tokens.token("pe-6", List.of(), Duration.ofSeconds(1));
        try (RawWebSocket ws = RawWebSocket.connect(node.server().port(), "/ws/notifications?access_token=" + shortLived)) {
            assertThat(ws.readClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(4001);
            assertThat(ws.endsWithin(AT_ONCE)).as("the server waits for the close handshake").isFalse();

            ws.sendFrame(true, 0x8, true, new byte[] {0x0f, (byte) 0xa1});

            assertThat(ws.endsWithin(Duration.ofSeconds(2))).isTrue();
        }
    }
}
