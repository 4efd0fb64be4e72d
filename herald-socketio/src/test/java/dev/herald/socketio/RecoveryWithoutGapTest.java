package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection state recovery while a publisher keeps broadcasting: a client that drops its
 * connection mid-stream and comes back with its pid and last offset receives every broadcast
 * exactly once and in order (no gap between the replay and live delivery, no duplicate).
 */
class RecoveryWithoutGapTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS = "/socket.io/?EIO=4&transport=websocket";
    private static final int TOTAL = 3000;
    private static ConformanceServer server;
    private static SuiteClient client;
    private static SocketIoNamespace feed;

    @BeforeAll
    static void start() throws Exception {
        server = ConformanceServer.start("127.0.0.1", 0, ConformanceServer.suiteConfig()
                .withEngine(ConformanceServer.suiteEngineConfig("/socket.io/")
                        .withPing(Duration.ofSeconds(25), Duration.ofSeconds(20)))
                .withRecovery(Duration.ofMinutes(2)));
        client = new SuiteClient(server.port());
        // An async middleware (like a token check) widens the window between restoring the
        // session and rejoining its rooms, where broadcasts must not fall through.
        feed = server.socketIo().of("/feed")
                .use(s -> java.util.concurrent.CompletableFuture.runAsync(() -> { },
                        java.util.concurrent.CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)))
                .onConnection(s -> s.join("feed"));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** Reads one {@code n} event: returns {value, offset}. */
    private static String[] nextEvent(SuiteClient.Ws ws) throws Exception {
        String m = (String) ws.nextSkippingPings();
        assertThat(m).startsWith("42/feed,");
        JsonNode arr = JSON.readTree(m.substring("42/feed,".length()));
        return new String[] {arr.get(1).asText(), arr.get(2).asText()};
    }

    @Test
    void aClientThatDropsMidStreamGetsEveryBroadcastOnceAndInOrder() throws Exception {
        SuiteClient.Ws first = client.ws(WS);
        first.next();
        first.send("40/feed,");
        JsonNode hello = JSON.readTree(((String) first.next()).substring("40/feed,".length()));
        String sid = hello.get("sid").asText();
        String pid = hello.get("pid").asText();

        ExecutorService publisher = Executors.newSingleThreadExecutor();
        // Paced (about 5 per ms) so that publishing spans the drop and the reconnect.
        Future<?> publishing = publisher.submit(() -> IntStream.range(0, TOTAL).forEach(i -> {
            feed.to("feed").emit("n", i);
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }));
        try {
            List<Integer> received = new ArrayList<>();
            String offset = null;
            while (received.size() < 1000) {
                String[] e = nextEvent(first);
                received.add(Integer.parseInt(e[0]));
                offset = e[1];
            }
            first.abort();
            await().atMost(Duration.ofSeconds(5)).until(() -> feed.sockets().isEmpty());

            SuiteClient.Ws second = client.ws(WS);
            second.next();
            second.send("40/feed,{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
            JsonNode again = JSON.readTree(((String) second.next()).substring("40/feed,".length()));
            assertThat(again.get("sid").asText()).as("recovered: same socket id").isEqualTo(sid);
            assertThat(again.get("pid").asText()).isEqualTo(pid);
            assertThat(publishing.isDone()).as("the publisher was still running during the reconnect").isFalse();
            while (received.get(received.size() - 1) < TOTAL - 1) {
                received.add(Integer.parseInt(nextEvent(second)[0]));
            }
            publishing.get(30, TimeUnit.SECONDS);
            assertThat(received).containsExactlyElementsOf(IntStream.range(0, TOTAL).boxed().toList());
            assertThat(second.messages.poll(200, TimeUnit.MILLISECONDS)).as("no duplicate after the end").isNull();
            second.abort();
        } finally {
            publisher.shutdownNow();
            publisher.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientWhoseOffsetIsUnknownGetsAFreshSession() throws Exception {
        SuiteClient.Ws ws = client.ws(WS);
        ws.next();
        ws.send("40/feed,{\"pid\":\"made-up\",\"offset\":\"nope-1\"}");
        JsonNode hello = JSON.readTree(((String) ws.next()).substring("40/feed,".length()));
        assertThat(hello.get("pid").asText()).isNotEqualTo("made-up");
        ws.abort();
    }

    @Test
    void directEmitsCarryAnOffsetAndAreReplayedToo() throws Exception {
        Feed feed = connectFeed();
        feed.socket().emit("direct", 1);
        String[] first = nextDirect(feed.ws());
        assertThat(first[0]).isEqualTo("1");
        dropAndAwaitGone(feed);
        RecoveryWithoutGapTest.feed.to(feed.sid()).emit("direct", 2);

        SuiteClient.Ws back = resume(feed, first[1]);
        assertThat(nextDirect(back)[0]).isEqualTo("2");
        back.abort();
    }

    @Test
    void preparedEmitsAreTheSamePacketsAndAreReplayedToo() throws Exception {
        Feed feed = connectFeed();
        JsonNode payload = JSON.readTree("{\"n\":1,\"text\":\"caf\u00e9 \\\"quoted\\\"\",\"list\":[1,null,true]}");
        feed.socket().emit("direct", payload);
        feed.socket().emit(PreparedEvent.of("direct", payload));
        String plain = (String) feed.ws().nextSkippingPings();
        String prepared = (String) feed.ws().nextSkippingPings();
        String[] plainArgs = direct(plain);
        String[] preparedArgs = direct(prepared);
        assertThat(prepared).as("the same packet but for the offset")
                .isEqualTo(plain.replace(plainArgs[1], preparedArgs[1]));
        assertThat(preparedArgs[1]).isNotEqualTo(plainArgs[1]);

        // Missed after the first prepared packet: replayed from the recovery log.
        feed.socket().emit(PreparedEvent.of("direct", 2));
        dropAndAwaitGone(feed);
        SuiteClient.Ws back = resume(feed, preparedArgs[1]);
        assertThat(nextDirect(back)[0]).isEqualTo("2");
        back.abort();
    }

    /** A client connected to {@code /feed}: its WebSocket, its CONNECT answer, its server-side socket. */
    private record Feed(SuiteClient.Ws ws, JsonNode hello, SocketIoSocket socket) {
        String sid() {
            return hello.get("sid").asText();
        }
    }

    private static Feed connectFeed() throws Exception {
        SuiteClient.Ws ws = client.ws(WS);
        ws.next();
        ws.send("40/feed,");
        JsonNode hello = JSON.readTree(((String) ws.next()).substring("40/feed,".length()));
        return new Feed(ws, hello, feed.socket(hello.get("sid").asText()).orElseThrow());
    }

    private static void dropAndAwaitGone(Feed f) {
        f.ws().abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.sockets().isEmpty());
    }

    /** Reconnects as {@code f}'s session from {@code offset}; asserts it was recovered. */
    private static SuiteClient.Ws resume(Feed f, String offset) throws Exception {
        SuiteClient.Ws back = client.ws(WS);
        back.next();
        back.send("40/feed,{\"pid\":\"" + f.hello().get("pid").asText() + "\",\"offset\":\"" + offset + "\"}");
        assertThat((String) back.next()).startsWith("40/feed,{\"sid\":\"" + f.sid());
        return back;
    }

    /** A {@code direct} event packet's {value as JSON text, offset}. */
    private static String[] direct(String packet) throws Exception {
        JsonNode arr = JSON.readTree(packet.substring("42/feed,".length()));
        assertThat(arr.get(0).asText()).isEqualTo("direct");
        return new String[] {arr.get(1).toString(), arr.get(2).asText()};
    }

    private static String[] nextDirect(SuiteClient.Ws ws) throws Exception {
        return direct((String) ws.nextSkippingPings());
    }
}
