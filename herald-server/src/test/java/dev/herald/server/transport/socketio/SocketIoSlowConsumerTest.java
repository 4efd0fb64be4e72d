package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Socket.IO client that stops reading: its session stops being writable at half the layer's
 * outbound cap, the delivery core closes it as a slow consumer (as a dropped transport, so a real
 * client reconnects), and nothing is lost: what it had not received comes back with
 * {@code auth.since}. Spoken in raw Engine.IO/Socket.IO frames so reading can be stopped.
 */
class SocketIoSlowConsumerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOSED = "\u0000closed";

    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension();

    /** A raw WebSocket whose reading the test controls: frames are read only when asked for. */
    private static final class RawSocket implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        static RawSocket open(int port, String query) throws Exception {
            RawSocket raw = new RawSocket();
            raw.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket&" + query), raw)
                    .get(10, TimeUnit.SECONDS);
            return raw;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            // No request: nothing is read until the test asks.
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            } else {
                webSocket.request(1); // each part takes one request: fetch the rest of this message
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            frames.add(CLOSED);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            frames.add(CLOSED);
        }

        /** Reads one more frame (answering Engine.IO pings); null after {@code wait} without one. */
        String next(Duration wait) throws InterruptedException {
            ws.request(1);
            String f = frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if ("2".equals(f)) {
                ws.sendText("3", true);
            }
            return f;
        }

        /** The seq of a {@code notification} event frame, or -1 for any other frame. */
        static long notificationSeq(String frame) throws Exception {
            if (frame == null || !frame.startsWith("42[\"notification\"")) {
                return -1;
            }
            JsonNode args = JSON.readTree(frame.substring(2));
            return args.get(1).get("seq").asLong();
        }
    }

    @Test
    void aSocketThatStopsReadingIsClosedAsASlowConsumerAndResumesWithoutLoss() throws Exception {
        int total = 600;
        String pad = "x".repeat(20_000);
        String user = "sio-slow";
        TestServer server = node.server();
        String token = server.tokens.forUser(user);
        RawSocket stuck = RawSocket.open(server.port(), "access_token=" + token);
        assertThat(stuck.next(Duration.ofSeconds(5))).startsWith("0{\"sid\"");
        stuck.ws.sendText("40", true);
        assertThat(stuck.next(Duration.ofSeconds(5))).startsWith("40{\"sid\"");
        assertThat(stuck.next(Duration.ofSeconds(5))).startsWith("42[\"unreadCount\",0");
        // From here the client reads nothing.

        Thread publisher = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < total; i++) {
                server.api.notifyUser(user, "{\"type\":\"big\",\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> slowConsumers(server) >= 1);

        long last = 0;
        boolean closed = false;
        for (int frames = 0; frames < 10 * total && !closed; frames++) {
            String f = stuck.next(Duration.ofSeconds(5));
            assertThat(f).as("a frame or the close within 5 s").isNotNull();
            closed = f.equals(CLOSED);
            long seq = RawSocket.notificationSeq(f);
            if (seq > 0) {
                assertThat(seq).isEqualTo(last + 1);
                last = seq;
            }
        }
        assertThat(closed).as("the slow consumer's connection is closed").isTrue();
        assertThat(last).isLessThan(total);
        publisher.join(Duration.ofSeconds(60));

        RawSocket resumed = RawSocket.open(server.port(), "access_token=" + token);
        assertThat(resumed.next(Duration.ofSeconds(5))).startsWith("0{");
        resumed.ws.sendText("40{\"since\":" + last + "}", true);
        for (int frames = 0; frames < 10 * total && last < total; frames++) {
            String f = resumed.next(Duration.ofSeconds(10));
            assertThat(f).as("a frame within 10 s").isNotNull().isNotEqualTo(CLOSED);
            long seq = RawSocket.notificationSeq(f);
            if (seq > 0) {
                assertThat(seq).isEqualTo(last + 1);
                last = seq;
            }
        }
        assertThat(last).isEqualTo(total);
        resumed.ws.abort();
    }

    private static double slowConsumers(TestServer server) {
        for (String line : server.api.get("/metrics").body().split("\n")) {
            if (line.startsWith("herald_slow_consumers_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
