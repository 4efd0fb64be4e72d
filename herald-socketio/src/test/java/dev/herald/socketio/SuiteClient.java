package dev.herald.socketio;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A raw HTTP and WebSocket client for protocol-level tests, doing what the official suites do
 * with {@code fetch} and {@code WebSocket}. Every wait is bounded.
 */
final class SuiteClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final String base;

    SuiteClient(int port) {
        this(port, null);
    }

    /** A client whose connections come from {@code local} (e.g. 127.0.0.2), or any address when null. */
    SuiteClient(int port, java.net.InetAddress local) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT);
        if (local != null) {
            b.localAddress(local);
        }
        this.http = b.build();
        this.base = "127.0.0.1:" + port;
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + base + pathAndQuery)).timeout(WAIT).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://" + base + pathAndQuery)).timeout(WAIT)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
        return postAsync(pathAndQuery, body).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    CompletableFuture<HttpResponse<String>> postAsync(String pathAndQuery, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://" + base + pathAndQuery)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://" + base + pathAndQuery);
    }

    /** Opens a WebSocket; completes exceptionally when the server refuses the handshake. */
    Ws ws(String pathAndQuery) throws Exception {
        Ws ws = new Ws();
        try {
            http.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(URI.create("ws://" + base + pathAndQuery), ws)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
        return ws;
    }

    /**
     * Runs one polling handshake, poll and WebSocket upgrade so that class loading and JIT on both
     * sides happen before timing-sensitive cases (the suites assume answers within the 300 ms
     * heartbeat, which a cold JVM on a busy machine can miss).
     */
    void warmUp(String path) throws Exception {
        for (int i = 0; i < 3; i++) {
            try {
                String body = get(path + "?EIO=4&transport=polling").body();
                String sid = body.substring(body.indexOf("\"sid\":\"") + 7, body.indexOf("\",\"upgrades"));
                post(path + "?EIO=4&transport=polling&sid=" + sid, "40");
                get(path + "?EIO=4&transport=polling&sid=" + sid);
                Ws ws = ws(path + "?EIO=4&transport=websocket&sid=" + sid);
                ws.send("2probe");
                ws.next();
                ws.send("5");
                ws.abort();
            } catch (Exception e) {
                // Only warming up: a cold, busy JVM may miss the 500 ms heartbeat here, which is
                // exactly why this runs before the real cases.
            }
        }
    }

    @Override
    public void close() {
        // Do not wait for sockets a test left open: the server side is torn down anyway.
        http.shutdownNow();
    }

    /** A WebSocket whose received messages (String or byte[]) are queued, and whose close is observable. */
    static final class Ws implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private WebSocket socket;
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            this.socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            if (last) {
                messages.add(bin.toByteArray());
                bin = new java.io.ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        void send(String s) {
            socket.sendText(s, true).join();
        }

        void send(byte[] b) {
            socket.sendBinary(ByteBuffer.wrap(b), true).join();
        }

        /** The next message, failing after {@link #WAIT}. */
        Object next() throws InterruptedException, TimeoutException {
            Object m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new TimeoutException("no message within " + WAIT);
            }
            return m;
        }

        /** The next message that is not an Engine.IO ping (answering it, as a client would). */
        Object nextSkippingPings() throws InterruptedException, TimeoutException {
            for (int i = 0; i < 20; i++) {
                Object m = next();
                if (!"2".equals(m)) {
                    return m;
                }
                send("3");
            }
            throw new TimeoutException("only pings received");
        }

        boolean awaitClosed() {
            try {
                closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        void abort() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
