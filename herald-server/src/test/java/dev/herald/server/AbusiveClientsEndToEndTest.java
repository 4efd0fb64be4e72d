package dev.herald.server;

import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Abusive requests found by the soak (docs/reliability.md) are answered at once and leave the
 * connection usable, instead of holding it open with no answer.
 */
class AbusiveClientsEndToEndTest {

    @Test
    void aBadPercentEscapeInTheQueryIsAnswered400AndTheKeptAliveConnectionServesTheNextRequest() throws Exception {
        try (TestServer server = TestServer.start();
             Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
            s.setSoTimeout(5_000); // the defect: no answer at all, ever
            s.getOutputStream().write(("GET /healthz?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 400").contains("malformed query string");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
        }
    }

    /** One response: status line, headers, then content-length bytes of body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
