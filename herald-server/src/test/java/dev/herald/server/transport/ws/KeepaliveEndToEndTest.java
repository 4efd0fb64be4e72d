package dev.herald.server.transport.ws;

import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Server pings keep live connections open and reap dead ones. */
class KeepaliveEndToEndTest {
    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.pingInterval(Duration.ofMillis(200))
            .idleTimeout(Duration.ofMillis(900)));

    @Test
    void aPeerThatNeverAnswersPingsIsClosedWithTheIdleCode() throws Exception {
        TestServer server = node.server();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws/notifications?access_token=" + server.tokens.forUser("idle") + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read everything the server sends until it closes, never answering a ping.
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            try {
                int n;
                while (System.nanoTime() < deadline && (n = in.read(buf)) > 0) {
                    received.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // a reset after the close frame also ends the stream
            }
            byte[] bytes = received.toByteArray();
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 101");
            assertThat(text).contains("\u0089\u0000"); // at least one ping (opcode 9, empty)
            // close frame: opcode 8, then code 4000 big-endian (0x0F 0xA0)
            assertThat(text).contains("\u0088").contains("\u000f\u00a0");
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedPastTheIdleTimeout() throws Exception {
        TestServer server = node.server();
        try (WsClient ws = server.connectAs("awake", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            assertThat(ws.poll(Duration.ofSeconds(3))).isNull(); // three idle timeouts' worth of silence
            assertThat(ws.isClosed()).isFalse();
            server.api.notifyUser("awake", "{\"type\":\"still_here\"}");
            assertThat(ws.nextOfType("still_here", Duration.ofSeconds(5))).isNotNull();
        }
    }
}
