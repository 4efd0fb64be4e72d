package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Herald's Socket.IO events with the official Java client (io.socket:socket.io-client 2.1.2),
 * in-process against a real {@link TestServer}: story 4 (chat), story 5 (publish over the HTTP API
 * reaches the socket), and one user on Socket.IO, plain WebSocket and SSE at once receiving each
 * notification once on each.
 */
class HeraldSocketIoJavaClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        sockets.forEach(Socket::close);
    }

    private Socket connect(String userId, String[] transports) throws Exception {
        IO.Options o = IO.Options.builder().setTransports(transports).setReconnection(false).setForceNew(true)
                .setAuth(Map.of("token", node.server().tokens.forUser(userId))).build();
        Socket s = IO.socket(URI.create("http://127.0.0.1:" + node.server().port()), o);
        sockets.add(s);
        CompletableFuture<Boolean> connected = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> connected.complete(true));
        s.once(Socket.EVENT_CONNECT_ERROR, a -> connected.completeExceptionally(new AssertionError(a[0])));
        s.connect();
        connected.get(10, TimeUnit.SECONDS);
        return s;
    }

    private static JsonNode ask(Socket s, String event, JSONObject payload) throws Exception {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        s.emit(event, new Object[] {payload}, (Ack) a -> answer.complete(a[0]));
        return JSON.readTree(answer.get(10, TimeUnit.SECONDS).toString());
    }

    private static CompletableFuture<JsonNode> next(Socket s, String event) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        s.once(event, a -> {
            try {
                f.complete(JSON.readTree(a[0].toString()));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void javaClientsChatInAConversationAndAnOutsiderIsRefused() throws Exception {
        var created = node.server().api.send("POST", "/api/v1/backend/conversations",
                "{\"kind\":\"group\",\"title\":\"j\",\"members\":[\"java-a\",\"java-b\"]}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY));
        long id = created.json().get("conversation").get("id").asLong();
        Socket a = connect("java-a", new String[] {"websocket"});
        Socket b = connect("java-b", new String[] {"polling", "websocket"});
        Socket outsider = connect("java-c", new String[] {"websocket"});
        JSONObject conv = new JSONObject().put("conversationId", id);

        assertThat(ask(a, "joinConversation", conv).get("ok").asBoolean()).isTrue();
        assertThat(ask(b, "joinConversation", conv).get("ok").asBoolean()).isTrue();
        assertThat(ask(outsider, "joinConversation", conv).get("code").asText()).isEqualTo("conversation_not_found");

        CompletableFuture<JsonNode> typing = next(b, "userTyping");
        a.emit("typing", conv);
        // org.json does not keep key order: compare as a tree.
        assertThat(typing.get(10, TimeUnit.SECONDS))
                .isEqualTo(JSON.readTree("{\"userId\":\"java-a\",\"conversationId\":" + id + "}"));
        // Before sending: a sent message ends its sender's typing by itself.
        CompletableFuture<JsonNode> stopped = next(b, "userStoppedTyping");
        a.emit("stopTyping", conv);
        assertThat(stopped.get(10, TimeUnit.SECONDS).get("userId").asText()).isEqualTo("java-a");

        CompletableFuture<JsonNode> atB = next(b, "newMessage");
        JsonNode stored = ask(a, "sendMessage", new JSONObject().put("conversationId", id).put("content", "hi from java"));
        assertThat(stored.get("content").asText()).isEqualTo("hi from java");
        assertThat(stored.get("senderId").asText()).isEqualTo("java-a");
        JsonNode received = atB.get(10, TimeUnit.SECONDS);
        assertThat(received.get("id")).isEqualTo(stored.get("id"));
        assertThat(received.get("seq")).isEqualTo(stored.get("seq"));
    }

    @Test
    void aSendWhoseClientIdIsNotAStringIsRefusedInItsAckAsOnTheWebSocketAndNothingIsStored() throws Exception {
        var created = node.server().api.send("POST", "/api/v1/backend/conversations",
                "{\"kind\":\"group\",\"title\":\"k\",\"members\":[\"java-k\"]}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY));
        long id = created.json().get("conversation").get("id").asLong();
        Socket s = connect("java-k", new String[] {"websocket"});

        JsonNode refused = ask(s, "sendMessage", new JSONObject().put("conversationId", id).put("content", "hi")
                .put("clientId", 42));

        assertThat(refused).isEqualTo(JSON.readTree(
                "{\"error\":\"clientId: must be a string\",\"code\":\"invalid_event\",\"field\":\"clientId\"}"));
        var history = node.server().api.asUser("GET", "/api/v1/conversations/" + id + "/messages",
                node.server().tokens.forUser("java-k"), null);
        assertThat(history.json().get("messages")).isEmpty();
        JsonNode stored = ask(s, "sendMessage", new JSONObject().put("conversationId", id).put("content", "hi")
                .put("clientId", "k-1"));
        assertThat(stored.get("client_id").asText()).isEqualTo("k-1");
    }

    @Test
    void aNotificationPublishedOverTheApiReachesTheJavaClientWithItsUnreadCount() throws Exception {
        Socket s = connect("java-n", new String[] {"polling", "websocket"});
        CompletableFuture<JsonNode> notification = next(s, "notification");
        CompletableFuture<JsonNode> alias = next(s, "newNotification");
        List<Object> unread = new CopyOnWriteArrayList<>();
        s.on("unreadCount", a -> unread.add(a[0]));
        JsonNode published = node.server().api.notifyUser("java-n", "{\"type\":\"payment_received\",\"amount\":12}");
        JsonNode n = notification.get(10, TimeUnit.SECONDS);
        assertThat(n.get("type").asText()).isEqualTo("payment_received");
        assertThat(n.get("amount").asInt()).isEqualTo(12);
        assertThat(published.toString()).contains(n.get("id").asText());
        assertThat(alias.get(10, TimeUnit.SECONDS)).isEqualTo(n);
        await().atMost(Duration.ofSeconds(10)).until(() -> unread.contains(1));
    }

    @Test
    void aUserWhoOnlyEverConnectedOverSocketIoReceivesBroadcasts() throws Exception {
        Socket s = connect("java-only-sio", new String[] {"websocket"});
        CompletableFuture<JsonNode> notification = next(s, "notification");
        assertThat(node.server().api.publish("{\"to\":{\"all\":true},\"notification\":{\"type\":\"maintenance\"}}").status())
                .isEqualTo(201);
        assertThat(notification.get(10, TimeUnit.SECONDS).get("type").asText()).isEqualTo("maintenance");
    }

    @Test
    void oneUserOnSocketIoPlainWebSocketAndSseGetsEachNotificationOnceOnEach() throws Exception {
        String user = "java-multi";
        List<Long> overSocketIo = new CopyOnWriteArrayList<>();
        // The first unreadCount is sent once the stream's position is known: from then on nothing is missed.
        CompletableFuture<Object> sioStarted = new CompletableFuture<>();
        IO.Options o = IO.Options.builder().setTransports(new String[] {"websocket"}).setReconnection(false)
                .setForceNew(true).setAuth(Map.of("token", node.server().tokens.forUser(user))).build();
        Socket sio = IO.socket(URI.create("http://127.0.0.1:" + node.server().port()), o);
        sockets.add(sio);
        sio.on("notification", a -> overSocketIo.add(((JSONObject) a[0]).optLong("seq")));
        sio.once("unreadCount", a -> sioStarted.complete(a[0]));
        sio.connect();
        assertThat(sioStarted.get(10, TimeUnit.SECONDS)).isEqualTo(0);
        CompletableFuture<Boolean> sseStarted = new CompletableFuture<>();
        List<Long> overSse = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> sse = http.send(HttpRequest.newBuilder(URI.create(node.server().api.base()
                + "/sse/notifications?access_token=" + node.server().tokens.forUser(user))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        JsonNode d = JSON.readTree(line.substring(6));
                        if ("connected".equals(d.path("type").asText())) {
                            sseStarted.complete(true);
                        }
                        if (d.has("seq") && d.has("id")) {
                            overSse.add(d.get("seq").asLong());
                        }
                    }
                }
            } catch (Exception ignored) {
                // closed by the test
            }
        });
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            assertThat(ws.nextOfType("connected", Duration.ofSeconds(10))).isNotNull();
            assertThat(sseStarted.get(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++) {
                node.server().api.notifyUser(user, "{\"type\":\"tick\",\"n\":" + i + "}");
            }
            List<Long> overWs = new ArrayList<>();
            while (overWs.size() < 5) {
                JsonNode f = ws.next(Duration.ofSeconds(10));
                if (f.has("seq") && f.has("id")) {
                    overWs.add(f.get("seq").asLong());
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> overSocketIo.size() >= 5 && overSse.size() >= 5);
            // Anything duplicated would arrive right behind; a short settle makes it visible.
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
            List<Long> expected = List.of(1L, 2L, 3L, 4L, 5L);
            assertThat(overWs).isEqualTo(expected);
            assertThat(overSocketIo).isEqualTo(expected);
            assertThat(overSse).isEqualTo(expected);
        } finally {
            sse.body().close();
            reader.join(5000);
        }
    }
}
