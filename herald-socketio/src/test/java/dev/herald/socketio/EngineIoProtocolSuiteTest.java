package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every case of the official Engine.IO v4 protocol test suite (engine.io-protocol, "Test suite"),
 * written against the conformance server's {@code /engine.io/} echo endpoint over real sockets.
 */
class EngineIoProtocolSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EIO = "/engine.io/?EIO=4";
    private static ConformanceServer server;
    private static SuiteClient client;

    @BeforeAll
    static void start() throws Exception {
        server = ConformanceServer.start("127.0.0.1", 0);
        client = new SuiteClient(server.port());
        client.warmUp("/engine.io/");
        // Warm the JDK WebSocket client up: its first connection is slow enough to miss the
        // suite's 300 ms heartbeat in timing-sensitive cases.
        client.ws(EIO + "&transport=websocket").abort();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static String openPollingSession() throws Exception {
        HttpResponse<String> r = client.get(EIO + "&transport=polling");
        return JSON.readTree(r.body().substring(1)).get("sid").asText();
    }

    static String polling(String sid) {
        return EIO + "&transport=polling&sid=" + sid;
    }

    static void assertHandshake(String data, String... upgrades) throws Exception {
        assertThat(data).startsWith("0");
        JsonNode v = JSON.readTree(data.substring(1));
        assertThat(v.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
        assertThat(v.get("sid").isTextual()).isTrue();
        assertThat(v.get("upgrades")).containsExactly(java.util.Arrays.stream(upgrades)
                .map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toArray(JsonNode[]::new));
        assertThat(v.get("pingInterval").asInt()).isEqualTo(300);
        assertThat(v.get("pingTimeout").asInt()).isEqualTo(200);
        assertThat(v.get("maxPayload").asInt()).isEqualTo(1_000_000);
    }

    @Nested
    class HandshakeOverPolling {
        @Test
        void successfullyOpensASession() throws Exception {
            HttpResponse<String> r = client.get(EIO + "&transport=polling");
            assertThat(r.statusCode()).isEqualTo(200);
            assertHandshake(r.body(), "websocket");
        }

        @Test
        void failsWithAnInvalidEioQueryParameter() throws Exception {
            assertThat(client.get("/engine.io/?transport=polling").statusCode()).isEqualTo(400);
            assertThat(client.get("/engine.io/?EIO=abc&transport=polling").statusCode()).isEqualTo(400);
        }

        @Test
        void failsWithAnInvalidTransportQueryParameter() throws Exception {
            assertThat(client.get(EIO).statusCode()).isEqualTo(400);
            assertThat(client.get(EIO + "&transport=abc").statusCode()).isEqualTo(400);
        }

        @Test
        void failsWithAnInvalidRequestMethod() throws Exception {
            assertThat(client.post(EIO + "&transport=polling", "").statusCode()).isEqualTo(400);
            assertThat(client.send(HttpRequest.newBuilder(client.uri(EIO + "&transport=polling"))
                    .PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(400);
        }
    }

    @Nested
    class HandshakeOverWebSocket {
        @Test
        void successfullyOpensASession() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            assertHandshake((String) ws.next());
            ws.abort();
        }

        @Test
        void failsWithAnInvalidEioQueryParameter() {
            assertThatThrownBy(() -> client.ws("/engine.io/?transport=websocket"))
                    .isInstanceOf(WebSocketHandshakeException.class);
            assertThatThrownBy(() -> client.ws("/engine.io/?EIO=abc&transport=websocket"))
                    .isInstanceOf(WebSocketHandshakeException.class);
        }

        @Test
        void failsWithAnInvalidTransportQueryParameter() {
            assertThatThrownBy(() -> client.ws(EIO)).isInstanceOf(WebSocketHandshakeException.class);
            assertThatThrownBy(() -> client.ws(EIO + "&transport=abc")).isInstanceOf(WebSocketHandshakeException.class);
        }
    }

    @Nested
    class MessagesOverPolling {
        @Test
        void sendsAndReceivesAPayloadContainingOnePlainTextPacket() throws Exception {
            String sid = openPollingSession();
            HttpResponse<String> push = client.post(polling(sid), "4hello");
            assertThat(push.statusCode()).isEqualTo(200);
            assertThat(push.body()).isEqualTo("ok");
            HttpResponse<String> poll = client.get(polling(sid));
            assertThat(poll.statusCode()).isEqualTo(200);
            assertThat(poll.body()).isEqualTo("4hello");
        }

        @Test
        void sendsAndReceivesAPayloadContainingSeveralPlainTextPackets() throws Exception {
            String sid = openPollingSession();
            assertThat(client.post(polling(sid), "4test1\u001e4test2\u001e4test3").body()).isEqualTo("ok");
            assertThat(client.get(polling(sid)).body()).isEqualTo("4test1\u001e4test2\u001e4test3");
        }

        @Test
        void sendsAndReceivesAPayloadContainingPlainTextAndBinaryPackets() throws Exception {
            String sid = openPollingSession();
            assertThat(client.post(polling(sid), "4hello\u001ebAQIDBA==").body()).isEqualTo("ok");
            assertThat(client.get(polling(sid)).body()).isEqualTo("4hello\u001ebAQIDBA==");
        }

        @Test
        void closesTheSessionUponInvalidPacketFormat() throws Exception {
            String sid = openPollingSession();
            assertThat(client.post(polling(sid), "abc").statusCode()).isEqualTo(400);
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }

        @Test
        void closesTheSessionUponDuplicatePollRequests() throws Exception {
            String sid = openPollingSession();
            CompletableFuture<HttpResponse<String>> first = client.getAsync(polling(sid));
            // The suite fires the second poll 5 ms after the first; give the first time to arrive.
            TimeUnit.MILLISECONDS.sleep(100);
            HttpResponse<String> second = client.getAsync(polling(sid) + "&t=burst")
                    .get(5, TimeUnit.SECONDS);
            HttpResponse<String> firstResponse = first.get(5, TimeUnit.SECONDS);
            assertThat(firstResponse.statusCode()).isEqualTo(200);
            assertThat(firstResponse.body()).isEqualTo("1");
            assertThat(second.statusCode()).isEqualTo(400);
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }
    }

    @Nested
    class MessagesOverWebSocket {
        @Test
        void sendsAndReceivesAPlainTextPacket() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            ws.send("4hello");
            assertThat(ws.next()).isEqualTo("4hello");
            ws.abort();
        }

        @Test
        void sendsAndReceivesABinaryPacket() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            ws.send(new byte[] {1, 2, 3, 4});
            assertThat(ws.next()).isEqualTo(new byte[] {1, 2, 3, 4});
            ws.abort();
        }

        @Test
        void closesTheSessionUponInvalidPacketFormat() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            ws.send("abc");
            assertThat(ws.awaitClosed()).isTrue();
        }
    }

    @Nested
    class Heartbeat {
        @Test
        void sendsPingPongPacketsOverPolling() throws Exception {
            String sid = openPollingSession();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> poll = client.get(polling(sid));
                assertThat(poll.statusCode()).isEqualTo(200);
                assertThat(poll.body()).isEqualTo("2");
                assertThat(client.post(polling(sid), "3").statusCode()).isEqualTo(200);
            }
        }

        @Test
        void closesThePollingSessionUponPingTimeout() throws Exception {
            String sid = openPollingSession();
            TimeUnit.MILLISECONDS.sleep(300 + 200);
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }

        @Test
        void sendsPingPongPacketsOverWebSocket() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            for (int i = 0; i < 3; i++) {
                assertThat(ws.next()).isEqualTo("2");
                ws.send("3");
            }
            ws.abort();
        }

        @Test
        void closesTheWebSocketSessionUponPingTimeout() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            assertThat(ws.awaitClosed()).isTrue();
        }
    }

    @Nested
    class Close {
        @Test
        void forcefullyClosesThePollingSession() throws Exception {
            String sid = openPollingSession();
            CompletableFuture<HttpResponse<String>> poll = client.getAsync(polling(sid));
            CompletableFuture<HttpResponse<String>> push = client.postAsync(polling(sid), "1");
            HttpResponse<String> pollResponse = poll.get(5, TimeUnit.SECONDS);
            push.get(5, TimeUnit.SECONDS);
            assertThat(pollResponse.statusCode()).isEqualTo(200);
            assertThat(pollResponse.body()).isEqualTo("6");
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }

        @Test
        void forcefullyClosesTheWebSocketSession() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            ws.send("1");
            assertThat(ws.awaitClosed()).isTrue();
        }
    }

    @Nested
    class Upgrade {
        @Test
        void successfullyUpgradesFromPollingToWebSocket() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket&sid=" + sid);
            ws.send("2probe");
            assertThat(ws.next()).isEqualTo("3probe");
            HttpResponse<String> poll = client.get(polling(sid));
            assertThat(poll.statusCode()).isEqualTo(200);
            assertThat(poll.body()).isEqualTo("6");
            ws.send("5");
            ws.send("4hello");
            assertThat(ws.nextSkippingPings()).isEqualTo("4hello");
            ws.abort();
        }

        @Test
        void ignoresHttpRequestsWithTheSameSidAfterUpgrade() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket&sid=" + sid);
            ws.send("2probe");
            ws.send("5");
            assertThat(ws.next()).isEqualTo("3probe");
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
            ws.send("4hello");
            assertThat(ws.nextSkippingPings()).isEqualTo("4hello");
            ws.abort();
        }

        @Test
        void ignoresWebSocketConnectionsWithTheSameSidAfterUpgrade() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket&sid=" + sid);
            ws.send("2probe");
            ws.send("5");
            assertThat(ws.next()).isEqualTo("3probe");
            SuiteClient.Ws second = client.ws(EIO + "&transport=websocket&sid=" + sid);
            assertThat(second.awaitClosed()).isTrue();
            ws.send("4hello");
            assertThat(ws.nextSkippingPings()).isEqualTo("4hello");
            ws.abort();
        }
    }

    @Nested
    class BeyondTheSuite {
        @Test
        void closesAPollingSessionWhoseBodyExceedsMaxPayload() throws Exception {
            String sid = openPollingSession();
            HttpResponse<String> push = client.post(polling(sid), "4" + "x".repeat(1_000_001));
            assertThat(push.statusCode()).isEqualTo(413);
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }

        @Test
        void closesAWebSocketWhoseMessageExceedsMaxPayload() throws Exception {
            SuiteClient.Ws ws = client.ws(EIO + "&transport=websocket");
            ws.next();
            ws.send("4" + "x".repeat(1_000_001));
            assertThat(ws.awaitClosed()).isTrue();
        }
    }
}
