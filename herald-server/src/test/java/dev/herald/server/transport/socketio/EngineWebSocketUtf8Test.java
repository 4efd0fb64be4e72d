package dev.herald.server.transport.socketio;

import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Engine.IO WebSocket text frame that is not UTF-8 is a parse error that closes the
 * session, instead of being read with the bad bytes replaced.
 */
class EngineWebSocketUtf8Test {
    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension();

    @Test
    void aTextFrameThatIsNotUtf8ClosesTheSession() throws Exception {
        TestServer server = node.server();
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/socket.io/?EIO=4&transport=websocket")) {
            assertThat(ws.read(Duration.ofSeconds(5)).text()).startsWith("0{");

            // A pong ("3") with a payload: harmless when valid, so only the encoding can close it.
            ws.sendText(new byte[] {'3', (byte) 0xff, (byte) 0xfe});

            RawWebSocket.Frame close = ws.readClose(Duration.ofSeconds(5));
            assertThat(close.text()).contains("parse error");
            assertThat(ws.endsWithin(Duration.ofSeconds(2))).isTrue();
        }
    }
}
