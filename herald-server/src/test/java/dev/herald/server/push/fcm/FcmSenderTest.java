package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushOutcome.Result;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushUrgency;
import dev.herald.server.push.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FcmSender} against {@link FcmPeer}: real HTTP/2 over TLS on 127.0.0.1, a real JWT bearer
 * grant signed with the test's service account key, and FCM's error answers.
 */
class FcmSenderTest {
    private static final String PROJECT = "herald-test";
    private static final String EMAIL = "herald@herald-test.iam.gserviceaccount.com";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static TestCertificates tls;
    private static KeyPair accountKey;
    private FcmPeer peer;
    private final TestClock clock = new TestClock(Instant.now());

    @BeforeAll
    static void makeKeys() throws Exception {
        tls = TestCertificates.selfSigned();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        accountKey = rsa.generateKeyPair();
    }

    @BeforeEach
    void startPeer() throws Exception {
        peer = new FcmPeer(tls, (RSAPublicKey) accountKey.getPublic(), EMAIL, PROJECT);
    }

    @AfterEach
    void stopPeer() throws Exception {
        peer.close();
    }

    private FcmSender sender(FcmPeer to, KeyPair key) throws Exception {
        Path file = to.writeServiceAccount(Files.createTempFile(dir, "sa", ".json"), key.getPrivate(), to.tokenUrl());
        return new FcmSender(new FcmSettings(file, to.baseUrl(), null, List.of(tls.certificate()), TIMEOUT), clock);
    }

    private static PushDevice device(String token) {
        return new PushDevice("dev-9", "user:42", PushPlatform.FCM, token, null, null, null, false, Instant.now());
    }

    private static PushMessage message(PushUrgency urgency, String collapseKey, Duration ttl) {
        return new PushMessage("n-17", "comment", "New comment", "Ann replied to you", "https://app.example/icon.png",
                "https://app.example/n/17", 3, ttl, urgency, collapseKey, "receipt-abc");
    }

    private static PushMessage message() {
        return message(PushUrgency.HIGH, "thread-7", Duration.ofHours(1));
    }

    private static PushOutcome send(FcmSender sender, String token) throws Exception {
        return sender.send(device(token), message()).get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aPushArrivesOverHttp2WithTheNotificationDataAndAndroidOptions() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            assertThat(send(sender, "device-1")).isEqualTo(PushOutcome.sent(200));
        }

        assertThat(peer.connectionProtocols).isNotEmpty().containsOnly("h2");
        assertThat(peer.messages).hasSize(1);
        JsonNode m = peer.messages.get(0);
        assertThat(m.get("token").asText()).isEqualTo("device-1");
        assertThat(m.at("/notification/title").asText()).isEqualTo("New comment");
        assertThat(m.at("/notification/body").asText()).isEqualTo("Ann replied to you");
        assertThat(m.at("/notification/image").asText()).isEqualTo("https://app.example/icon.png");
        ObjectNode expectedData = JSON.createObjectNode();
        message().toJson().properties().forEach(e -> expectedData.put(e.getKey(), e.getValue().asText()));
        assertThat(m.get("data")).isEqualTo(expectedData);
        assertThat(m.at("/data/id").asText()).isEqualTo("n-17");
        assertThat(m.at("/data/badge").asText()).isEqualTo("3");
        assertThat(m.at("/data/receipt").asText()).isEqualTo("receipt-abc");
        assertThat(m.at("/android/collapse_key").asText()).isEqualTo("thread-7");
        assertThat(m.at("/android/priority").asText()).isEqualTo("HIGH");
        assertThat(m.at("/android/ttl").asText()).isEqualTo("3600s");
        assertThat(m.at("/android/notification/notification_count").asInt()).isEqualTo(3);
        assertThat(m.at("/android/notification/tag").asText()).isEqualTo("thread-7");
    }

    @Test
    void oneAccessTokenServesManySendsUntilFiveMinutesBeforeItExpires() throws Exception {
        peer.expiresIn = 301; // usable for one second before the refresh margin
        try (FcmSender sender = sender(peer, accountKey)) {
            for (int i = 0; i < 5; i++) {
                assertThat(send(sender, "device-" + i)).isEqualTo(PushOutcome.sent(200));
            }
            assertThat(peer.tokenRequests).hasValue(1);

            clock.advance(Duration.ofSeconds(2));
            assertThat(send(sender, "device-late")).isEqualTo(PushOutcome.sent(200));
            assertThat(send(sender, "device-later")).isEqualTo(PushOutcome.sent(200));
        }

        assertThat(peer.tokenRequests).hasValue(2);
        assertThat(peer.bearers.subList(0, 5)).containsOnly(peer.bearers.get(0));
        assertThat(peer.bearers.get(5)).isNotEqualTo(peer.bearers.get(0)).isEqualTo(peer.bearers.get(6));
    }

    @Test
    void concurrentSendsShareOneTokenRequest() throws Exception {
        peer.tokenDelayMillis = 300;
        try (FcmSender sender = sender(peer, accountKey)) {
            List<CompletableFuture<PushOutcome>> sends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sends.add(sender.send(device("device-" + i), message()));
            }
            for (CompletableFuture<PushOutcome> s : sends) {
                assertThat(s.get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(PushOutcome.sent(200));
            }
        }

        assertThat(peer.tokenRequests).hasValue(1);
        assertThat(peer.messages).hasSize(20);
    }

    @Test
    void aRefusedTokenRequestFailsEverySendWaitingForItAsRetryAndTheNextSendAsksAgain() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair stranger = rsa.generateKeyPair();
        peer.tokenDelayMillis = 300;
        try (FcmSender sender = sender(peer, stranger)) {
            List<CompletableFuture<PushOutcome>> sends = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sends.add(sender.send(device("device-" + i), message()));
            }
            for (CompletableFuture<PushOutcome> s : sends) {
                PushOutcome outcome = s.get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(outcome.result()).isEqualTo(Result.RETRY);
                assertThat(outcome.status()).isZero();
                assertThat(outcome.reason()).contains("HTTP 400").contains("invalid_grant");
            }
            assertThat(peer.tokenRequests).hasValue(1);

            assertThat(send(sender, "device-again").result()).isEqualTo(Result.RETRY);
            assertThat(peer.tokenRequests).hasValue(2);
        }
        assertThat(peer.messages).isEmpty();
    }

    @Test
    void aDeviceFcmNoLongerKnowsOrThatBelongsToAnotherSenderIsGone() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            assertThat(send(sender, FcmPeer.UNREGISTERED)).isEqualTo(PushOutcome.gone(404, "UNREGISTERED"));
            assertThat(send(sender, FcmPeer.OTHER_SENDER)).isEqualTo(PushOutcome.gone(403, "SENDER_ID_MISMATCH"));
        }
    }

    @Test
    void anUnavailableFcmIsRetriedAfterTheWaitItAsksFor() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            assertThat(send(sender, FcmPeer.BUSY)).isEqualTo(PushOutcome.retry(503, "UNAVAILABLE", Duration.ofSeconds(9)));
        }
    }

    @Test
    void anInvalidArgumentFailsWithFcmsMessageButNotTheToken() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            PushOutcome outcome = send(sender, FcmPeer.INVALID);

            assertThat(outcome.result()).isEqualTo(Result.FAILED);
            assertThat(outcome.status()).isEqualTo(400);
            assertThat(outcome.reason()).startsWith("INVALID_ARGUMENT: The registration token is not a valid FCM registration token")
                    .doesNotContain(FcmPeer.INVALID);
        }
    }

    @Test
    void aRefusedAccessTokenIsReplacedAndTheSendTriedOnceMore() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            assertThat(send(sender, FcmPeer.UNAUTHORIZED_ONCE)).isEqualTo(PushOutcome.sent(200));
            assertThat(peer.tokenRequests).hasValue(2);
            assertThat(peer.attemptsFor(FcmPeer.UNAUTHORIZED_ONCE)).isEqualTo(2);

            assertThat(send(sender, FcmPeer.UNAUTHORIZED_ALWAYS)).isEqualTo(PushOutcome.failed(401, "UNAUTHENTICATED"));
            assertThat(peer.attemptsFor(FcmPeer.UNAUTHORIZED_ALWAYS)).isEqualTo(2);
            assertThat(peer.tokenRequests).hasValue(3);
        }
    }

    @Test
    void aStoppedFcmMeansRetryWithoutStatusWithinTheTimeout() throws Exception {
        try (FcmSender sender = sender(peer, accountKey)) {
            assertThat(send(sender, "device-1")).isEqualTo(PushOutcome.sent(200));
            peer.close();

            long start = System.nanoTime();
            PushOutcome outcome = sender.send(device("device-2"), message()).get(TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);

            assertThat(outcome.result()).isEqualTo(Result.RETRY);
            assertThat(outcome.status()).isZero();
            assertThat(outcome.reason()).doesNotContain("device-2");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(TIMEOUT.plusSeconds(1));
        }
    }

    @Test
    void aClosedSenderAnswersRetryAtOnce() throws Exception {
        FcmSender sender = sender(peer, accountKey);
        sender.close();

        assertThat(send(sender, "device-1")).isEqualTo(PushOutcome.retry(0, "the FCM sender is closed", null));
        assertThat(peer.tokenRequests).hasValue(0);
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
