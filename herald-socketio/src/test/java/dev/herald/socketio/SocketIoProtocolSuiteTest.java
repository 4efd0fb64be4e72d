package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every case of the official Socket.IO v5 protocol test suite (socket.io-protocol, "Test suite"):
 * its Engine.IO part at {@code /socket.io/} and its Socket.IO part (connect, disconnect,
 * acknowledgements, messages, invalid input), against the conformance server over real sockets.
 */
class SocketIoProtocolSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EIO = "/socket.io/?EIO=4";
    private static final String WS = EIO + "&transport=websocket";
    private static ConformanceServer server;
    private static SuiteClient client;

    @BeforeAll
    static void start() throws Exception {
        server = ConformanceServer.start("127.0.0.1", 0);
        client = new SuiteClient(server.port());
        client.warmUp("/socket.io/");
        client.ws(WS).abort();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static String openPollingSession() throws Exception {
        return JSON.readTree(client.get(EIO + "&transport=polling").body().substring(1)).get("sid").asText();
    }

    static String polling(String sid) {
        return EIO + "&transport=polling&sid=" + sid;
    }

    /** Opens a WebSocket, joins the main namespace, and consumes the CONNECT answer and "auth" event. */
    static SuiteClient.Ws connected() throws Exception {
        SuiteClient.Ws ws = client.ws(WS);
        ws.next();
        ws.send("40");
        assertThat((String) ws.next()).startsWith("40");
        assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
        return ws;
    }

    static List<Object> packets(SuiteClient.Ws ws, int count) throws Exception {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(ws.nextSkippingPings());
        }
        return out;
    }

    static void assertConnectAnswer(Object message, String prefix) throws Exception {
        String data = (String) message;
        assertThat(data).startsWith(prefix);
        JsonNode handshake = JSON.readTree(data.substring(prefix.length()));
        assertThat(handshake.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("sid");
        assertThat(handshake.get("sid").isTextual()).isTrue();
    }

    @Nested
    class EngineIoHandshake {
        @Test
        void pollingSuccessfullyOpensASession() throws Exception {
            HttpResponse<String> r = client.get(EIO + "&transport=polling");
            assertThat(r.statusCode()).isEqualTo(200);
            EngineIoProtocolSuiteTest.assertHandshake(r.body(), "websocket");
        }

        @Test
        void pollingFailsWithAnInvalidEioQueryParameter() throws Exception {
            assertThat(client.get("/socket.io/?transport=polling").statusCode()).isEqualTo(400);
            assertThat(client.get("/socket.io/?EIO=abc&transport=polling").statusCode()).isEqualTo(400);
        }

        @Test
        void pollingFailsWithAnInvalidTransportQueryParameter() throws Exception {
            assertThat(client.get(EIO).statusCode()).isEqualTo(400);
            assertThat(client.get(EIO + "&transport=abc").statusCode()).isEqualTo(400);
        }

        @Test
        void pollingFailsWithAnInvalidRequestMethod() throws Exception {
            assertThat(client.post(EIO + "&transport=polling", "").statusCode()).isEqualTo(400);
            assertThat(client.send(HttpRequest.newBuilder(client.uri(EIO + "&transport=polling"))
                    .PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(400);
        }

        @Test
        void webSocketSuccessfullyOpensASession() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            EngineIoProtocolSuiteTest.assertHandshake((String) ws.next());
            ws.abort();
        }

        @Test
        void webSocketFailsWithAnInvalidEioQueryParameter() {
            assertThatThrownBy(() -> client.ws("/socket.io/?transport=websocket"))
                    .isInstanceOf(WebSocketHandshakeException.class);
            assertThatThrownBy(() -> client.ws("/socket.io/?EIO=abc&transport=websocket"))
                    .isInstanceOf(WebSocketHandshakeException.class);
        }

        @Test
        void webSocketFailsWithAnInvalidTransportQueryParameter() {
            assertThatThrownBy(() -> client.ws(EIO)).isInstanceOf(WebSocketHandshakeException.class);
            assertThatThrownBy(() -> client.ws(EIO + "&transport=abc")).isInstanceOf(WebSocketHandshakeException.class);
        }
    }

    @Nested
    class EngineIoHeartbeatCloseAndUpgrade {
        @Test
        void pollingSendsPingPongPackets() throws Exception {
            String sid = openPollingSession();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> poll = client.get(polling(sid));
                assertThat(poll.statusCode()).isEqualTo(200);
                assertThat(poll.body()).isEqualTo("2");
                assertThat(client.post(polling(sid), "3").statusCode()).isEqualTo(200);
            }
        }

        @Test
        void pollingClosesTheSessionUponPingTimeout() throws Exception {
            String sid = openPollingSession();
            TimeUnit.MILLISECONDS.sleep(300 + 200);
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
        }

        @Test
        void webSocketSendsPingPongPackets() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            for (int i = 0; i < 3; i++) {
                assertThat(ws.next()).isEqualTo("2");
                ws.send("3");
            }
            ws.abort();
        }

        @Test
        void webSocketClosesTheSessionUponPingTimeout() throws Exception {
            assertThat(client.ws(WS).awaitClosed()).isTrue();
        }

        @Test
        void pollingForcefullyClosesTheSession() throws Exception {
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
        void webSocketForcefullyClosesTheSession() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("1");
            assertThat(ws.awaitClosed()).isTrue();
        }

        @Test
        void successfullyUpgradesFromPollingToWebSocket() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(WS + "&sid=" + sid);
            ws.send("2probe");
            assertThat(ws.next()).isEqualTo("3probe");
            ws.send("5");
            ws.send("40");
            assertConnectAnswer(ws.nextSkippingPings(), "40");
            ws.abort();
        }

        @Test
        void ignoresHttpRequestsWithTheSameSidAfterUpgrade() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(WS + "&sid=" + sid);
            ws.send("2probe");
            ws.send("5");
            assertThat(ws.next()).isEqualTo("3probe");
            assertThat(client.get(polling(sid)).statusCode()).isEqualTo(400);
            ws.abort();
        }

        @Test
        void ignoresWebSocketConnectionsWithTheSameSidAfterUpgrade() throws Exception {
            String sid = openPollingSession();
            SuiteClient.Ws ws = client.ws(WS + "&sid=" + sid);
            ws.send("2probe");
            ws.send("5");
            assertThat(ws.next()).isEqualTo("3probe");
            assertThat(client.ws(WS + "&sid=" + sid).awaitClosed()).isTrue();
            ws.abort();
        }
    }

    @Nested
    class Connect {
        @Test
        void allowsConnectionToTheMainNamespace() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("40");
            assertConnectAnswer(ws.next(), "40");
            assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
            ws.abort();
        }

        @Test
        void allowsConnectionToTheMainNamespaceWithAPayload() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("40{\"token\":\"123\"}");
            assertConnectAnswer(ws.next(), "40");
            assertThat(ws.next()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
            ws.abort();
        }

        @Test
        void allowsConnectionToACustomNamespace() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("40/custom,");
            assertConnectAnswer(ws.next(), "40/custom,");
            assertThat(ws.next()).isEqualTo("42/custom,[\"auth\",{}]");
            ws.abort();
        }

        @Test
        void allowsConnectionToACustomNamespaceWithAPayload() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("40/custom,{\"token\":\"abc\"}");
            assertConnectAnswer(ws.next(), "40/custom,");
            assertThat(ws.next()).isEqualTo("42/custom,[\"auth\",{\"token\":\"abc\"}]");
            ws.abort();
        }

        @Test
        void refusesConnectionToAnUnknownNamespace() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("40/random");
            assertThat(ws.next()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
            ws.abort();
        }

        @Test
        void refusesConnectionWithAnInvalidHandshake() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            ws.send("4abc");
            assertThat(ws.awaitClosed()).isTrue();
        }

        @Test
        void closesTheConnectionIfNoHandshakeIsReceived() throws Exception {
            SuiteClient.Ws ws = client.ws(WS);
            ws.next();
            // Answer pings so only the 1000 ms connect timeout can close it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!ws.closed.isDone() && System.nanoTime() < deadline) {
                Object m = ws.messages.poll(100, TimeUnit.MILLISECONDS);
                if ("2".equals(m)) {
                    try {
                        ws.send("3");
                    } catch (java.util.concurrent.CompletionException e) {
                        // The server closed between its ping and our pong: the close we wait for.
                    }
                }
            }
            assertThat(ws.closed).isDone();
        }
    }

    @Nested
    class Disconnect {
        @Test
        void disconnectsFromTheMainNamespaceKeepingTheSessionOpen() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("41");
            assertThat(ws.next()).isEqualTo("2");
            ws.abort();
        }

        @Test
        void connectsThenDisconnectsFromACustomNamespace() throws Exception {
            SuiteClient.Ws ws = connected();
            assertThat(ws.next()).isEqualTo("2");
            ws.send("3");
            ws.send("40/custom");
            ws.nextSkippingPings();
            ws.nextSkippingPings();
            ws.send("41/custom");
            ws.send("42[\"message\",\"message to main namespace\",1,2]");
            assertThat(ws.nextSkippingPings()).isEqualTo("42[\"message-back\",\"message to main namespace\",1,2]");
            ws.abort();
        }
    }

    @Nested
    class Acknowledgements {
        @Test
        void emitsWithAnAckExpectation() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("42[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]");
            assertThat(ws.nextSkippingPings()).isEqualTo("421[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]");
            ws.send("431[1,\"2\",{\"3\":[true]}]");
            assertThat(ws.nextSkippingPings()).isEqualTo("42[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]");
            ws.abort();
        }

        @Test
        void emitsWithABinaryAckExpectation() throws Exception {
            SuiteClient.Ws ws = connected();
            String data = "{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},\"test\"";
            ws.send("452-[\"emit-with-ack\"," + data + "]");
            ws.send(new byte[] {1, 2, 3});
            ws.send(new byte[] {4, 5, 6});
            List<Object> p = packets(ws, 3);
            assertThat(p.get(0)).isEqualTo("452-1[\"emit-with-ack\"," + data + "]");
            assertThat(p.get(1)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(p.get(2)).isEqualTo(new byte[] {4, 5, 6});
            ws.send("462-1[" + data + "]");
            ws.send(new byte[] {1, 2, 3});
            ws.send(new byte[] {4, 5, 6});
            p = packets(ws, 3);
            assertThat(p.get(0)).isEqualTo("452-[\"emit-with-ack\"," + data + "]");
            assertThat(p.get(1)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(p.get(2)).isEqualTo(new byte[] {4, 5, 6});
            ws.abort();
        }
    }

    @Nested
    class Messages {
        @Test
        void sendsAPlainTextPacket() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("42[\"message\",1,\"2\",{\"3\":[true]}]");
            assertThat(ws.nextSkippingPings()).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
            ws.abort();
        }

        @Test
        void sendsAPacketWithBinaryAttachments() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("452-[\"message\",1,{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
            ws.send(new byte[] {1, 2, 3});
            ws.send(new byte[] {4, 5, 6});
            List<Object> p = packets(ws, 3);
            assertThat(p.get(0)).isEqualTo(
                    "452-[\"message-back\",1,{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
            assertThat(p.get(1)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(p.get(2)).isEqualTo(new byte[] {4, 5, 6});
            ws.abort();
        }

        @Test
        void sendsAPlainTextPacketWithAnAck() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
            assertThat(ws.nextSkippingPings()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
            ws.abort();
        }

        @Test
        void sendsAPacketWithBinaryAttachmentsAndAnAck() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("452-789[\"message-with-ack\",1,{\"_placeholder\":true,\"num\":0},"
                    + "{\"_placeholder\":true,\"num\":1}]");
            ws.send(new byte[] {1, 2, 3});
            ws.send(new byte[] {4, 5, 6});
            List<Object> p = packets(ws, 3);
            assertThat(p.get(0)).isEqualTo(
                    "462-789[1,{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
            assertThat(p.get(1)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(p.get(2)).isEqualTo(new byte[] {4, 5, 6});
            ws.abort();
        }

        @Test
        void closesTheConnectionUponAnUnknownPacketType() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("4abc");
            assertThat(ws.awaitClosed()).isTrue();
        }

        @Test
        void closesTheConnectionUponAnInvalidPayloadFormat() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("42{}");
            assertThat(ws.awaitClosed()).isTrue();
        }

        @Test
        void closesTheConnectionUponAnInvalidAckId() throws Exception {
            SuiteClient.Ws ws = connected();
            ws.send("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
            assertThat(ws.awaitClosed()).isTrue();
        }
    }
}
