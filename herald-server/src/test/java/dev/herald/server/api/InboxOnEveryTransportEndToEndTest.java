package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.WsClient;
import io.socket.client.IO;
import io.socket.client.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One user on plain WebSocket, SSE and Socket.IO at once (the official Java Socket.IO client):
 * an inbox change made over HTTP (another tab) reaches all three as the documented frames and
 * events, with both counts, and every transport's first frame carries the unseen count.
 */
class InboxOnEveryTransportEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    @Test
    void anArchiveInOneTabReachesTheUsersWebSocketSseAndSocketIoConnections() throws Exception {
        String user = "every-transport";
        String token = node.server().tokens.forUser(user);
        String first = node.server().api.notifyUser(user, "{\"type\":\"t\"}").get("ids").get(0).asText();
        node.server().api.notifyUser(user, "{\"type\":\"t\"}");

        List<JsonNode> overSse = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> sse = http.send(HttpRequest.newBuilder(URI.create(node.server().api.base()
                + "/sse/notifications?access_token=" + token)).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        overSse.add(JSON.readTree(line.substring(6)));
                    }
                }
            } catch (Exception ignored) {
                // closed by the test
            }
        });

        List<Object> unseenOverSio = new CopyOnWriteArrayList<>();
        CompletableFuture<JsonNode> inboxOverSio = new CompletableFuture<>();
        IO.Options o = IO.Options.builder().setTransports(new String[] {"websocket"}).setReconnection(false)
                .setForceNew(true).setAuth(Map.of("token", token)).build();
        Socket sio = IO.socket(URI.create("http://127.0.0.1:" + node.server().port()), o);
        sio.on("unseenCount", a -> unseenOverSio.add(a[0]));
        sio.on("inbox", a -> {
            try {
                inboxOverSio.complete(JSON.readTree(a[0].toString()));
            } catch (Exception e) {
                inboxOverSio.completeExceptionally(e);
            }
        });
        sio.connect();
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            assertThat(ws.nextOfType("connected", Duration.ofSeconds(10)).get("unseen_count").asInt()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> unseenOverSio.contains(2)
                    && overSse.stream().anyMatch(f -> "connected".equals(f.path("type").asText())));
            assertThat(overSse.getFirst().get("unseen_count").asInt()).isEqualTo(2);

            assertThat(node.server().api.asUser("POST", "/api/v1/me/notifications/" + first + "/archive", token, null)
                    .status()).isEqualTo(200);

            JsonNode overWs = ws.nextOfType("inbox", Duration.ofSeconds(10));
            assertThat(overWs.get("action").asText()).isEqualTo("archive");
            assertThat(overWs.get("ids").get(0).asText()).isEqualTo(first);
            assertThat(overWs.get("unseen_count").asInt()).isEqualTo(1);
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(10)).get("unseen_count").asInt()).isEqualTo(1);
            assertThat(inboxOverSio.get(10, TimeUnit.SECONDS)).isEqualTo(overWs);
            await().atMost(Duration.ofSeconds(10)).until(() -> unseenOverSio.contains(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> overSse.stream().anyMatch(f -> f.equals(overWs)));
            await().atMost(Duration.ofSeconds(10)).until(() -> overSse.stream().anyMatch(
                    f -> "unread_count".equals(f.path("type").asText()) && f.path("unseen_count").asInt(-1) == 1));
        } finally {
            sio.close();
            sse.body().close();
            reader.join(5000);
        }
    }
}
