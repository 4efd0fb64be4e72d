package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushOutcome.Result;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushUrgency;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link WebPushSender} against {@link PushServicePeer}, a push service on loopback that decrypts and verifies. */
class WebPushSenderTest {
    private static final String SUBJECT = "mailto:ops@herald.test";
    private static final VapidKeys KEYS = VapidKeys.generate(new SecureRandom());

    private PushServicePeer peer;
    private WebPushSender sender;

    @BeforeEach
    void start() throws Exception {
        peer = new PushServicePeer(SUBJECT);
        sender = new WebPushSender(new WebPushSettings(SUBJECT, KEYS, true, Duration.ofSeconds(5), null));
    }

    @AfterEach
    void stop() {
        sender.close();
        peer.close();
    }

    @Test
    void thePushServiceDecryptsTheMessageJsonAndAcceptsTheVapidToken() throws Exception {
        PushMessage message = message("n-1", null, Duration.ofMinutes(10), PushUrgency.HIGH);

        PushOutcome outcome = send(device(peer.endpoint()), message);

        assertThat(outcome).isEqualTo(PushOutcome.sent(201));
        assertThat(peer.received()).hasSize(1);
        PushServicePeer.Received push = peer.received().get(0);
        assertThat(push.problems()).isEmpty();
        assertThat(push.plaintext()).as("the exact bytes of toJsonBytes()").isEqualTo(message.toJson().toString());
        assertThat(push.header("Content-Encoding")).isEqualTo("aes128gcm");
        assertThat(push.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(push.header("Authorization")).endsWith(", k=" + KEYS.publicKeyBase64Url());
    }

    @Test
    void ttlUrgencyAndTopicHeadersSayWhatTheMessageAsks() throws Exception {
        String longKey = "inbox:user-42/thread #7, the one about the watermelons";
        send(device(peer.endpoint()), message("n-1", null, Duration.ofMinutes(10), PushUrgency.HIGH));
        send(device(peer.endpoint()), message("n-2", "thread-7_a", Duration.ZERO, PushUrgency.VERY_LOW));
        send(device(peer.endpoint()), message("n-3", longKey, Duration.ofDays(2), PushUrgency.NORMAL));

        var pushes = peer.received();
        assertThat(pushes).hasSize(3);
        assertThat(pushes).allSatisfy(p -> assertThat(p.problems()).isEmpty());
        assertThat(pushes.get(1).payload().get("tag").asText()).isEqualTo("thread-7_a");
        assertThat(pushes.get(0).header("TTL")).isEqualTo("600");
        assertThat(pushes.get(0).header("Urgency")).isEqualTo("high");
        assertThat(pushes.get(0).header("Topic")).as("no collapse key, no Topic").isNull();
        assertThat(pushes.get(1).header("TTL")).isEqualTo("0");
        assertThat(pushes.get(1).header("Urgency")).isEqualTo("very-low");
        assertThat(pushes.get(1).header("Topic")).isEqualTo("thread-7_a");
        assertThat(pushes.get(2).header("TTL")).isEqualTo("172800");
        assertThat(pushes.get(2).header("Topic")).isEqualTo(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(longKey.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 32)).hasSize(32);
        assertThat(pushes.get(2).payload().get("tag").asText()).as("the payload keeps the key itself").isEqualTo(longKey);
    }

    @Test
    void goneSubscriptionsAreGone() throws Exception {
        peer.answer(410, Map.of(), "");
        assertThat(send(device(peer.endpoint()), anyMessage())).isEqualTo(PushOutcome.gone(410, "HTTP 410"));

        peer.answer(404, Map.of(), "no such subscription");
        assertThat(send(device(peer.endpoint()), anyMessage()))
                .isEqualTo(PushOutcome.gone(404, "HTTP 404: no such subscription"));
    }

    @Test
    void throttlingAndServerErrorsAreRetriedAfterWhatTheServiceAsks() throws Exception {
        peer.answer(429, Map.of("Retry-After", "7"), "slow down");
        assertThat(send(device(peer.endpoint()), anyMessage()))
                .isEqualTo(PushOutcome.retry(429, "HTTP 429: slow down", Duration.ofSeconds(7)));

        peer.answer(500, Map.of(), "");
        assertThat(send(device(peer.endpoint()), anyMessage())).isEqualTo(PushOutcome.retry(500, "HTTP 500", null));

        peer.answer(503, Map.of("Retry-After", "86400"), "");
        assertThat(send(device(peer.endpoint()), anyMessage()).retryAfter()).as("capped").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aRefusalIsAFailureWithTheStatusAndTheStartOfTheBodyOnOneLine() throws Exception {
        String body = "{\"error\":\n\t\"bad payload\"}" + "x".repeat(500);
        peer.answer(400, Map.of(), body);

        PushOutcome outcome = send(device(peer.endpoint()), anyMessage());

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.status()).isEqualTo(400);
        assertThat(outcome.reason()).startsWith("HTTP 400: {\"error\": \"bad payload\"}xxx")
                .hasSize("HTTP 400: ".length() + 200).doesNotContain("\n", "\t");
        assertThat(outcome.retryAfter()).isNull();
    }

    @Test
    void aRefusedConnectionIsRetriedWithStatusZeroAndNoEndpointInTheReason() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort + "/push/secret-subscription-id";

        PushOutcome outcome = send(device(endpoint), anyMessage());

        assertThat(outcome.result()).isEqualTo(Result.RETRY);
        assertThat(outcome.status()).isZero();
        assertThat(outcome.reason()).contains("ConnectException").doesNotContain("secret-subscription-id");
        assertThat(outcome.retryAfter()).isNull();
    }

    @Test
    void aPushServiceThatDoesNotAnswerInTimeIsRetried() throws Exception {
        sender.close();
        sender = new WebPushSender(new WebPushSettings(SUBJECT, KEYS, true, Duration.ofMillis(300), null));
        peer.hold();

        PushOutcome outcome = send(device(peer.endpoint()), anyMessage());

        assertThat(outcome.result()).isEqualTo(Result.RETRY);
        assertThat(outcome.status()).isZero();
        assertThat(outcome.reason()).startsWith("HttpTimeoutException");
    }

    @Test
    void closingCompletesSendsInFlightAsRetries() throws Exception {
        peer.hold();
        CompletableFuture<PushOutcome> inFlight = sender.send(device(peer.endpoint()), anyMessage());
        await("the push reaches the peer").atMost(Duration.ofSeconds(10)).until(() -> peer.received().size() == 1);

        sender.close();

        PushOutcome outcome = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(outcome.result()).isEqualTo(Result.RETRY);
        assertThat(outcome.status()).isZero();
        assertThat(send(device(peer.endpoint()), anyMessage()))
                .isEqualTo(PushOutcome.retry(0, "the Web Push sender is closed", null));
    }

    @Test
    void anInvalidStoredSubscriptionOrAnotherPlatformFailsWithoutARequest() throws Exception {
        PushDevice https = device(peer.endpoint());
        PushDevice notOnCurve = new PushDevice("d-2", "user:u", PushPlatform.WEBPUSH, peer.endpoint(),
                "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", peer.auth(),
                null, false, Instant.EPOCH);
        PushDevice apns = new PushDevice("d-3", "user:u", PushPlatform.APNS, "token", null, null, "app", false, Instant.EPOCH);
        WebPushSender httpsOnly = new WebPushSender(new WebPushSettings(SUBJECT, KEYS));
        try {
            assertThat(httpsOnly.send(https, anyMessage()).get(10, TimeUnit.SECONDS))
                    .isEqualTo(PushOutcome.failed(0, "invalid subscription: subscription.endpoint: must be an https URL"));
        } finally {
            httpsOnly.close();
        }
        assertThat(send(notOnCurve, anyMessage())).isEqualTo(
                PushOutcome.failed(0, "invalid subscription: subscription.keys.p256dh: is not a point on the P-256 curve"));
        assertThat(send(apns, anyMessage())).isEqualTo(PushOutcome.failed(0, "not a Web Push device: apns"));
        assertThat(peer.received()).isEmpty();
    }

    @Test
    void aMessageTooLargeForOneRecordFails() throws Exception {
        PushMessage huge = new PushMessage("n-1", "t", "title", "b".repeat(4000), null, null, 0, Duration.ofMinutes(1),
                PushUrgency.NORMAL, null, null);

        PushOutcome outcome = send(device(peer.endpoint()), huge);

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.reason()).startsWith("plaintext: at most 3993 bytes");
        assertThat(peer.received()).isEmpty();
    }

    private PushOutcome send(PushDevice device, PushMessage message) throws Exception {
        return sender.send(device, message).get(15, TimeUnit.SECONDS);
    }

    private PushDevice device(String endpoint) {
        return new PushDevice("d-1", "user:u", PushPlatform.WEBPUSH, endpoint, peer.p256dh(), peer.auth(), null, false,
                Instant.EPOCH);
    }

    private static PushMessage anyMessage() {
        return message("n-9", null, Duration.ofMinutes(1), PushUrgency.NORMAL);
    }

    private static PushMessage message(String id, String collapseKey, Duration ttl, PushUrgency urgency) {
        return new PushMessage(id, "comment", "New comment ✓", "Ada: looks good", "https://app.test/icon.png",
                "https://app.test/c/1", 3, ttl, urgency, collapseKey, "receipt-" + id);
    }
}
