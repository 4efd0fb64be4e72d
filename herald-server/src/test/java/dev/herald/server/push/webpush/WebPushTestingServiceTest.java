package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushOutcome.Result;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushUrgency;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WebPushSender} against web-push-testing (npm), a push service implementation for tests
 * that validates the VAPID header and token and decrypts with the {@code http_ece} library: an
 * implementation that shares no code or author with Herald's. Started from
 * {@code src/test/webpush-peer} ({@code npm ci} there first) as a child process on 127.0.0.1,
 * stopped by its PID after the class. Skipped without node or the installed package, unless
 * {@code HERALD_REQUIRE_SERVICES=1} (CI), where that fails.
 */
class WebPushTestingServiceTest {
    private static final Path PEER_DIR = Path.of("src", "test", "webpush-peer");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBJECT = "https://herald.test/contact";
    private static final VapidKeys KEYS = VapidKeys.generate(new SecureRandom());
    private static final HttpClient API = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process service;
    private static String origin;
    private static WebPushSender sender;

    @BeforeAll
    static void startTheService() throws Exception {
        if (!Files.isDirectory(PEER_DIR.resolve("node_modules/web-push-testing"))) {
            unavailable("web-push-testing is not installed (run npm ci --no-audit --no-fund in " + PEER_DIR + ")");
        }
        try {
            service = new ProcessBuilder("node", "serve.js").directory(PEER_DIR.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            unavailable("node cannot be started: " + e.getMessage());
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(20, TimeUnit.SECONDS);
        assertThat(line).as("web-push-testing's first line").startsWith("listening ");
        origin = "http://127.0.0.1:" + Integer.parseInt(line.substring("listening ".length()));
        sender = new WebPushSender(new WebPushSettings(SUBJECT, KEYS, true, Duration.ofSeconds(10), null));
    }

    @AfterAll
    static void stopTheService() throws Exception {
        if (sender != null) {
            sender.close();
        }
        if (service != null) {
            ProcessHandle.of(service.pid()).ifPresent(ProcessHandle::destroy);
            if (!service.waitFor(5, TimeUnit.SECONDS)) {
                ProcessHandle.of(service.pid()).ifPresent(ProcessHandle::destroyForcibly);
                service.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aPushIsDecryptedByTheServiceAsTheMessagesJson() throws Exception {
        JsonNode subscription = subscribe(KEYS);
        PushMessage message = new PushMessage("n-1", "comment", "New comment ✓", "Ada: looks good", null,
                "https://app.test/c/1", 2, Duration.ofMinutes(5), PushUrgency.HIGH, "c-1", "receipt");

        PushOutcome outcome = sender.send(device(subscription), message).get(15, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(PushOutcome.sent(201));
        JsonNode messages = api("/get-notifications", JSON.createObjectNode()
                .put("clientHash", subscription.get("clientHash").asText()).toString()).at("/data/messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).asText()).isEqualTo(message.toJson().toString());
    }

    @Test
    void anExpiredSubscriptionIsGone() throws Exception {
        JsonNode subscription = subscribe(KEYS);
        HttpResponse<String> expired = post("/expire-subscription/" + subscription.get("clientHash").asText(), "{}");
        assertThat(expired.statusCode()).isEqualTo(200);

        PushOutcome outcome = sender.send(device(subscription), anyMessage()).get(15, TimeUnit.SECONDS);

        assertThat(outcome.result()).isEqualTo(Result.GONE);
        assertThat(outcome.status()).isEqualTo(410);
    }

    @Test
    void aSubscriptionMadeWithAnotherVapidKeyIsRefused() throws Exception {
        JsonNode subscription = subscribe(VapidKeys.generate(new SecureRandom()));

        PushOutcome outcome = sender.send(device(subscription), anyMessage()).get(15, TimeUnit.SECONDS);

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.status()).isEqualTo(400);
        assertThat(outcome.reason()).startsWith("HTTP 400: {\"error\":");
    }

    /** A subscription as the service hands it to a browser, checked by Herald's own parser. */
    private static JsonNode subscribe(VapidKeys keys) throws Exception {
        JsonNode data = api("/subscribe", JSON.createObjectNode().put("applicationServerKey", keys.publicKeyBase64Url())
                .toString()).get("data");
        WebPushSubscription.parse(data, true);
        return data;
    }

    private static PushDevice device(JsonNode subscription) {
        return new PushDevice("d-1", "user:u", PushPlatform.WEBPUSH, subscription.get("endpoint").asText(),
                subscription.at("/keys/p256dh").asText(), subscription.at("/keys/auth").asText(), null, false, Instant.EPOCH);
    }

    private static PushMessage anyMessage() {
        return new PushMessage("n-2", "comment", "t", "b", null, null, 0, Duration.ofMinutes(1), PushUrgency.NORMAL, null, null);
    }

    private static JsonNode api(String path, String json) throws Exception {
        HttpResponse<String> response = post(path, json);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return API.send(HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void unavailable(String why) {
        if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
            Assertions.fail(why + " and HERALD_REQUIRE_SERVICES=1");
        }
        Assumptions.abort(why + "; skipping the web-push-testing tests (set HERALD_REQUIRE_SERVICES=1 to fail instead)");
    }
}
