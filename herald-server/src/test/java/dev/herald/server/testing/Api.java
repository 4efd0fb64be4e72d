package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** HTTP calls to a Herald node, answering status and parsed JSON. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;

    /** A response: its status and body (parsed when JSON). */
    public record Reply(int status, String body, Map<String, java.util.List<String>> headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body);
            }
        }
    }

    public Api(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    public String base() {
        return base;
    }

    /** POST /api/v1/notifications with the configured API key. */
    public Reply publish(String body) {
        return send("POST", "/api/v1/notifications", body, Map.of("Authorization", "Bearer " + apiKey));
    }

    public Reply publish(String body, String idempotencyKey) {
        return send("POST", "/api/v1/notifications", body,
                Map.of("Authorization", "Bearer " + apiKey, "Idempotency-Key", idempotencyKey));
    }

    /** POST /api/v1/notifications/batch with the configured API key. */
    public Reply publishBatch(String body) {
        return send("POST", "/api/v1/notifications/batch", body, Map.of("Authorization", "Bearer " + apiKey));
    }

    /** Publishes {@code notification} (a JSON object) to one user; fails unless 201. */
    public JsonNode notifyUser(String userId, String notification) {
        Reply r = publish("{\"to\":{\"user\":\"" + userId + "\"},\"notification\":" + notification + "}");
        if (r.status() != 201) {
            throw new AssertionError("publish answered " + r.status() + ": " + r.body());
        }
        return r.json();
    }

    public Reply asUser(String method, String path, String token, String body) {
        return send(method, path, body, Map.of("Authorization", "Bearer " + token));
    }

    public Reply send(String method, String path, String body, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        if (body != null) {
            all.putIfAbsent("Content-Type", "application/json");
        }
        return exchange(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body), all);
    }

    /** As {@link #send}, with a text body sent as is (the caller sets its Content-Type). */
    public Reply sendText(String method, String path, String body, Map<String, String> headers) {
        return exchange(method, path, HttpRequest.BodyPublishers.ofString(body), headers);
    }

    private Reply exchange(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15));
        headers.forEach(b::header);
        b.method(method, body);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    public Reply get(String path) {
        return send("GET", path, null, Map.of());
    }
}
