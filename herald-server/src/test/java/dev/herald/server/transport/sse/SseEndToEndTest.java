package dev.herald.server.transport.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The notification stream over Server-Sent Events, resumed with Last-Event-ID. */
class SseEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();
    private final HttpClient http = HttpClient.newHttpClient();

    /** One parsed SSE event: its id (or null) and its data as JSON. */
    record Event(String id, JsonNode data) {
    }

    /** Opens a stream and parses its events on a virtual thread until the stream ends. */
    private BlockingQueue<Event> open(String query, String lastEventId, List<HttpResponse<?>> keep) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.server().api.base() + "/sse/notifications" + query));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        keep.add(response);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data: ")) {
                        events.add(new Event(id, JSON.readTree(line.substring(6))));
                    } else if (line.isEmpty()) {
                        id = null;
                    }
                }
            } catch (Exception ignored) {
                // stream closed by the test
            }
        });
        return events;
    }

    private static Event next(BlockingQueue<Event> events) throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an SSE event within 10 s").isNotNull();
        return e;
    }

    @Test
    void notificationsArriveAsEventsWithTheirSeqAsIdAndResumeFromLastEventId() throws Exception {
        List<HttpResponse<?>> keep = new ArrayList<>();
        String token = node.server().tokens.forUser("sse-1");
        BlockingQueue<Event> events = open("?access_token=" + token, null, keep);
        Event connected = next(events);
        assertThat(connected.data().get("type").asText()).isEqualTo("connected");
        assertThat(connected.id()).isNull();

        node.server().api.notifyUser("sse-1", "{\"type\":\"order_created\",\"order_id\":1}");
        Event first = next(events);
        assertThat(first.id()).isEqualTo("1");
        assertThat(first.data().get("type").asText()).isEqualTo("order_created");
        Event unread = next(events);
        assertThat(unread.id()).isNull();
        assertThat(unread.data().get("type").asText()).isEqualTo("unread_count");
        closeAll(keep);

        node.server().api.notifyUser("sse-1", "{\"type\":\"order_status_changed\",\"order_id\":1}");
        node.server().api.notifyUser("sse-1", "{\"type\":\"order_completed\",\"order_id\":1}");
        BlockingQueue<Event> resumed = open("?access_token=" + token, "1", keep);
        assertThat(next(resumed).data().get("since").asLong()).isEqualTo(1);
        Event second = next(resumed);
        assertThat(second.id()).isEqualTo("2");
        assertThat(second.data().get("type").asText()).isEqualTo("order_status_changed");
        assertThat(next(resumed).id()).isEqualTo("3");
        closeAll(keep);
    }

    private static void closeAll(List<HttpResponse<?>> responses) {
        for (HttpResponse<?> r : responses) {
            try {
                ((java.io.InputStream) r.body()).close();
            } catch (Exception ignored) {
                // already closed
            }
        }
        responses.clear();
    }

    @Test
    void oneUserOnASocketAndAStreamGetsEachNotificationOnEachOnce() throws Exception {
        List<HttpResponse<?>> keep = new ArrayList<>();
        BlockingQueue<Event> sse = open("?access_token=" + node.server().tokens.forUser("both") + "&types=ping_*", null, keep);
        try (WsClient ws = node.server().connectAs("both", "/ws/notifications?types=ping_*")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            next(sse);
            for (int i = 0; i < 5; i++) {
                node.server().api.notifyUser("both", "{\"type\":\"ping_" + i + "\"}");
            }
            List<String> overSse = new ArrayList<>();
            List<String> overWs = new ArrayList<>();
            while (overSse.size() < 5) {
                JsonNode d = next(sse).data();
                if (d.get("type").asText().startsWith("ping_")) {
                    overSse.add(d.get("type").asText());
                }
            }
            while (overWs.size() < 5) {
                JsonNode d = ws.next();
                if (d.get("type").asText().startsWith("ping_")) {
                    overWs.add(d.get("type").asText());
                }
            }
            assertThat(overSse).containsExactly("ping_0", "ping_1", "ping_2", "ping_3", "ping_4");
            assertThat(overWs).isEqualTo(overSse);
            assertThat(sse.poll(300, TimeUnit.MILLISECONDS)).satisfiesAnyOf(
                    e -> assertThat(e).isNull(),
                    e -> assertThat(e.data().get("type").asText()).isEqualTo("unread_count"));
        } finally {
            closeAll(keep);
        }
    }

    @Test
    void refusalsAreHttpStatusesWithAReason() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(node.server().api.base() + "/sse/notifications")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("token required");
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(node.server().api.base()
                        + "/sse/notifications?type=user&id=someone-else&access_token=" + node.server().tokens.forUser("me"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
    }
}
