package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.HeraldNodeExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The endpoint inside Herald's HTTP pipeline: Socket.IO requests come before the API routes,
 * requests on one connection are answered in order (the router's next request waits for the
 * layer's answer, then is served), and other paths fall through to the API. Leak detection is
 * paranoid in tests, so a request the endpoint failed to release would be reported.
 */
class SocketIoEndpointTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    /** Sends raw pipelined requests and reads {@code count} responses (Content-Length framed). */
    private static List<String> exchange(String requests, int count) throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.server().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            List<String> responses = new ArrayList<>();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            Pattern length = Pattern.compile("(?i)content-length: *(\\d+)");
            while (responses.size() < count) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                buf.write(b);
                String text = buf.toString(StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd < 0) {
                    continue;
                }
                Matcher m = length.matcher(text.substring(0, headEnd));
                int bodyLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
                if (buf.size() >= headEnd + 4 + bodyLength) {
                    responses.add(text);
                    buf.reset();
                }
            }
            return responses;
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAfterASocketIoRefusalAndAHandshake() throws Exception {
        List<String> r = exchange(get("/socket.io/?EIO=3&transport=polling")
                + get("/socket.io/?EIO=4&transport=polling")
                + get("/healthz"), 3);
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).startsWith("HTTP/1.1 400").contains("Unsupported protocol version");
        assertThat(r.get(1)).startsWith("HTTP/1.1 200").contains("0{\"sid\":\"");
        assertThat(r.get(2)).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
    }

    @Test
    void aPollIsAnsweredBeforeTheConnectionsNextRequest() throws Exception {
        String open = exchange(get("/socket.io/?EIO=4&transport=polling"), 1).get(0);
        Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open);
        assertThat(sid.find()).isTrue();
        // A CONNECT without a token is refused; the next poll carries the refusal, and a request
        // pipelined behind that poll on the same connection is answered after it.
        String connect = "POST /socket.io/?EIO=4&transport=polling&sid=" + sid.group(1) + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n40";
        List<String> posted = exchange(connect, 1);
        assertThat(posted.get(0)).startsWith("HTTP/1.1 200").endsWith("ok");
        List<String> r = exchange(get("/socket.io/?EIO=4&transport=polling&sid=" + sid.group(1))
                + get("/socket.io/?EIO=3&transport=polling"), 2);
        assertThat(r.get(0)).startsWith("HTTP/1.1 200").contains("44{\"message\":\"token required\"");
        assertThat(r.get(1)).startsWith("HTTP/1.1 400");
    }
}
