package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server API over real sockets with a raw protocol client: middlewares (sync, async, refusing
 * with data), handshake details, rooms and broadcasts, disconnect reasons, acks with timeouts, and
 * the outbound byte cap.
 */
class SocketIoServerBehaviourTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS = "/socket.io/?EIO=4&transport=websocket";
    private static ConformanceServer server;
    private static SuiteClient client;
    private static final Map<String, String> disconnectReasons = new ConcurrentHashMap<>();
    private static final Map<String, SocketIoSocket> byName = new ConcurrentHashMap<>();
    private static final List<String> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = ConformanceServer.start("127.0.0.1", 0, ConformanceServer.suiteConfig()
                .withEngine(ConformanceServer.suiteEngineConfig("/socket.io/")
                        .withPing(Duration.ofSeconds(20), Duration.ofSeconds(20)).withMaxBufferedBytes(20_000))
                .withConnectTimeout(Duration.ofSeconds(5)));
        client = new SuiteClient(server.port());
        SocketIoServer io = server.socketIo();
        io.of("/joiner").use(socket -> {
            socket.join("lobby");
            return CompletableFuture.failedFuture(new ConnectRefusedException("no"));
        });
        io.of("/secure").use(socket -> {
            String token = socket.handshake().auth().path("token").asText();
            if (!"good".equals(token)) {
                throw new ConnectRefusedException("not authorized", Map.of("reason", "bad token"));
            }
            socket.data().put("user", "u-" + socket.handshake().queryParam("user"));
            return CompletableFuture.completedFuture(null);
        }).use(socket -> CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)))
                .onConnection(socket -> {
                    socket.emit("welcome", socket.data().get("user"), socket.handshake().cookies().get("session"));
                    socket.on("join", (s, args, ack) -> {
                        s.join(args.get(0).asText());
                        ack.send();
                    });
                    socket.on("tick", (s, args, ack) -> ticks.add(s.data().get("user") + " " + args.get(0).asText()));
                    socket.on("name", (s, args, ack) -> {
                        byName.put(args.get(0).asText(), s);
                        s.onDisconnect((x, reason) -> disconnectReasons.put(args.get(0).asText(), reason));
                        ack.send();
                    });
                });
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static SuiteClient.Ws secure(String name) throws Exception {
        SuiteClient.Ws ws = client.ws(WS + "&user=" + name);
        ws.next();
        ws.send("40/secure,{\"token\":\"good\"}");
        assertThat((String) ws.next()).startsWith("40/secure,{\"sid\":");
        ws.next(); // welcome
        ws.send("42/secure,1[\"name\",\"" + name + "\"]");
        assertThat(ws.next()).isEqualTo("43/secure,1[]");
        return ws;
    }

    @Test
    void aRefusingMiddlewareSendsConnectErrorWithMessageAndData() throws Exception {
        SuiteClient.Ws ws = client.ws(WS);
        ws.next();
        ws.send("40/secure,{\"token\":\"bad\"}");
        assertThat(ws.next()).isEqualTo("44/secure,{\"message\":\"not authorized\",\"data\":{\"reason\":\"bad token\"}}");
        ws.send("40");
        assertThat((String) ws.next()).as("the session stays usable").startsWith("40{\"sid\":");
        ws.abort();
    }

    @Test
    void aRefusedSocketLeavesTheRoomsItsMiddlewareJoined() throws Exception {
        SuiteClient.Ws ws = client.ws(WS);
        ws.next();
        ws.send("40/joiner,");
        assertThat(ws.next()).isEqualTo("44/joiner,{\"message\":\"no\"}");
        assertThat(server.socketIo().of("/joiner").members("lobby")).isEmpty();
        assertThat(server.socketIo().of("/joiner").sockets()).isEmpty();
        ws.abort();
    }

    @Test
    void asyncMiddlewaresSeeTheHandshakeQueryAndCookies() throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri("/socket.io/?EIO=4&transport=polling&user=ann"))
                .header("Cookie", "session=s3cr3t; other=1").GET();
        String body = client.send(b).body();
        String sid = JSON.readTree(body.substring(1)).get("sid").asText();
        String poll = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
        client.post(poll, "40/secure,{\"token\":\"good\"}");
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!received.toString().contains("welcome") && System.nanoTime() < deadline) {
            received.append(client.get(poll).body()).append('\u001e');
        }
        assertThat(received.toString()).contains("42/secure,[\"welcome\",\"u-ann\",\"s3cr3t\"]");
    }

    @Test
    void broadcastsReachRoomMembersOnlyAndHonourExcept() throws Exception {
        SuiteClient.Ws a = secure("a");
        SuiteClient.Ws b = secure("b");
        SuiteClient.Ws c = secure("c");
        for (SuiteClient.Ws ws : List.of(a, b)) {
            ws.send("42/secure,2[\"join\",\"room-1\"]");
            assertThat(ws.next()).isEqualTo("43/secure,2[]");
        }
        SocketIoNamespace nsp = server.socketIo().of("/secure");
        assertThat(nsp.to("room-1").emit("news", Map.of("n", 1))).isEqualTo(2);
        assertThat(a.next()).isEqualTo("42/secure,[\"news\",{\"n\":1}]");
        assertThat(b.next()).isEqualTo("42/secure,[\"news\",{\"n\":1}]");
        assertThat(nsp.to("room-1").except(byName.get("a").id()).emit("news", 2)).isEqualTo(1);
        assertThat(b.next()).isEqualTo("42/secure,[\"news\",2]");
        byName.get("b").to("room-1").emit("from-b", new byte[] {9});
        assertThat(a.next()).isEqualTo("451-/secure,[\"from-b\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(a.next()).isEqualTo(new byte[] {9});
        nsp.emit("all", true);
        for (SuiteClient.Ws ws : List.of(a, b, c)) {
            assertThat(ws.next()).isEqualTo("42/secure,[\"all\",true]");
        }
        assertThat(a.messages).as("nothing else was delivered to a").isEmpty();
        assertThat(c.messages).isEmpty();
        List.of(a, b, c).forEach(SuiteClient.Ws::abort);
    }

    @Test
    void disconnectReasonsTellWhoEndedIt() throws Exception {
        SuiteClient.Ws byClient = secure("leaver");
        byClient.send("41/secure,");
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnectReasons.containsKey("leaver"));
        assertThat(disconnectReasons.get("leaver")).isEqualTo("client namespace disconnect");
        byClient.abort();

        SuiteClient.Ws kicked = secure("kicked");
        byName.get("kicked").disconnect(false);
        assertThat(kicked.next()).isEqualTo("41/secure,");
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnectReasons.containsKey("kicked"));
        assertThat(disconnectReasons.get("kicked")).isEqualTo("server namespace disconnect");
        kicked.send("40");
        assertThat((String) kicked.next()).as("the Engine.IO session survives").startsWith("40{");

        SuiteClient.Ws dropped = secure("dropped");
        dropped.abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnectReasons.containsKey("dropped"));
        assertThat(disconnectReasons.get("dropped")).isEqualTo("transport close");
        kicked.abort();
    }

    @Test
    void aSocketThatPausedReadingIsReadAgainOnlyWhenItResumes() throws Exception {
        SuiteClient.Ws ws = secure("pauser");
        SocketIoSocket s = byName.get("pauser");
        s.eventLoop().submit(() -> {
            s.pauseReading(true);
            s.pauseReading(true); // a socket's pause counts once
        }).get(5, TimeUnit.SECONDS);
        ws.send("42/secure,[\"tick\",\"1\"]");
        Thread.sleep(300);
        assertThat(ticks).as("not read while paused").doesNotContain("u-pauser 1");

        s.eventLoop().submit(() -> s.pauseReading(false)).get(5, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ticks.contains("u-pauser 1"));
        ws.send("42/secure,[\"tick\",\"2\"]");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ticks.contains("u-pauser 2"));
        ws.abort();
    }

    @Test
    void emitWithAckCompletesWithTheAnswerOrTimesOut() throws Exception {
        SuiteClient.Ws ws = secure("acker");
        SocketIoSocket s = byName.get("acker");
        CompletableFuture<List<com.fasterxml.jackson.databind.JsonNode>> answered =
                s.emitWithAck("question", Duration.ofSeconds(5), "q");
        String asked = (String) ws.next();
        assertThat(asked).matches("42/secure,\\d+\\[\"question\",\"q\"]");
        String id = asked.substring("42/secure,".length(), asked.indexOf('['));
        ws.send("43/secure," + id + "[\"yes\",2]");
        assertThat(JSON.valueToTree(answered.get(5, TimeUnit.SECONDS)).toString()).isEqualTo("[\"yes\",2]");

        CompletableFuture<?> unanswered = s.emitWithAck("question", Duration.ofMillis(200), "q2");
        ws.next();
        assertThat(unanswered).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(TimeoutException.class);
        ws.abort();
    }

    @Test
    void aClientThatStopsPollingIsClosedAtTheOutboundByteCap() throws Exception {
        String body = client.get("/socket.io/?EIO=4&transport=polling&user=slow").body();
        String sid = JSON.readTree(body.substring(1)).get("sid").asText();
        String poll = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
        client.post(poll, "40/secure,{\"token\":\"good\"}");
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!received.toString().contains("welcome") && System.nanoTime() < deadline) {
            received.append(client.get(poll).body());
        }
        client.post(poll, "42/secure,1[\"name\",\"slow\"]");
        await().atMost(Duration.ofSeconds(5)).until(() -> byName.containsKey("slow"));
        SocketIoSocket s = byName.get("slow");
        for (int i = 0; i < 30; i++) {
            s.emit("bulk", "x".repeat(1000));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnectReasons.containsKey("slow"));
        assertThat(disconnectReasons.get("slow")).isEqualTo("transport buffer full");
        assertThat(client.get(poll).statusCode()).isEqualTo(400);
    }
}
