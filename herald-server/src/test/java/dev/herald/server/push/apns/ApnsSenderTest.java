package dev.herald.server.push.apns;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushOutcome.Result;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushUrgency;
import dev.herald.server.push.TestCertificates;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link ApnsSender} against Pushy's mock APNs server on 127.0.0.1, over TLS with a self-signed
 * certificate the sender trusts through its settings, validating tokens, topics and the
 * provider token's signature the way APNs does.
 */
class ApnsSenderTest {
    private static final String TEAM = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOPIC = "dev.herald.demo";
    private static final String OTHER_TOPIC = "dev.herald.other";
    private static final String DEVICE = "a".repeat(64);
    private static final String OTHER_TOPIC_DEVICE = "b".repeat(64);
    private static final String UNREGISTERED_DEVICE = "c".repeat(64);
    private static final String UNKNOWN_DEVICE = "d".repeat(64);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static TestCertificates tls;
    private static Path keyFile;
    private static ApnsVerificationKey verificationKey;
    private static EventLoopGroup serverLoop;
    private static MockApnsServer server;
    private static int port;
    private static final BlockingQueue<ApnsPushNotification> accepted = new LinkedBlockingQueue<>();
    private static final BlockingQueue<RejectionReason> rejected = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startMockApns() throws Exception {
        tls = TestCertificates.selfSigned();
        KeyPair apnsKey = TestCertificates.ecKeyPair();
        keyFile = TestCertificates.writePkcs8(dir.resolve("AuthKey_" + KEY_ID + ".p8"), apnsKey.getPrivate());
        verificationKey = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) apnsKey.getPublic());
        serverLoop = newLoop();
        server = mockServer(serverLoop);
        port = server.start(0).get(10, TimeUnit.SECONDS);
    }

    @SuppressWarnings("deprecation") // Pushy 0.15's server knows NioEventLoopGroup by name
    private static EventLoopGroup newLoop() {
        return new NioEventLoopGroup(1);
    }

    private static MockApnsServer mockServer(EventLoopGroup loop) throws Exception {
        ValidatingPushNotificationHandlerFactory apns = new ValidatingPushNotificationHandlerFactory(
                Map.of(TOPIC, Set.of(DEVICE), OTHER_TOPIC, Set.of(OTHER_TOPIC_DEVICE)),
                Map.of(UNREGISTERED_DEVICE, Instant.now().minusSeconds(60)),
                Map.of(KEY_ID, verificationKey),
                Map.of(verificationKey, Set.of(TOPIC, OTHER_TOPIC)));
        return new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[]{tls.certificate()}, tls.key(), null)
                .setHandlerFactory(apns)
                .setEventLoopGroup(loop)
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification notification) {
                        accepted.add(notification);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification notification, RejectionReason reason,
                                                               Instant tokenExpiration) {
                        rejected.add(reason);
                    }
                })
                .build();
    }

    @AfterAll
    static void stopMockApns() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
        serverLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void forgetEarlierPushes() {
        accepted.clear();
        rejected.clear();
    }

    private static ApnsSettings settings(String production, String development, Path key, String keyId) {
        return new ApnsSettings(key, keyId, TEAM, production, development, List.of(tls.certificate()), TIMEOUT);
    }

    private static ApnsSettings settings() {
        return settings("127.0.0.1:" + port, "https://127.0.0.1:" + port, keyFile, KEY_ID);
    }

    private static PushDevice device(String token, String topic, boolean sandbox) {
        return new PushDevice("dev-1", "user:42", PushPlatform.APNS, token, null, null, topic, sandbox, Instant.now());
    }

    private static PushMessage message(PushUrgency urgency, String collapseKey, Duration ttl) {
        return new PushMessage("n-17", "comment", "New comment", "Ann replied to you", null,
                "https://app.example/n/17", 3, ttl, urgency, collapseKey, "receipt-abc");
    }

    private static PushOutcome send(ApnsSender sender, PushDevice device, PushMessage message) throws Exception {
        return sender.send(device, message).get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void anAcceptedPushCarriesTheAlertBadgeHeraldFieldsCollapseIdAndPriority() throws Exception {
        try (ApnsSender sender = new ApnsSender(settings())) {
            Instant before = Instant.now();
            PushOutcome outcome = send(sender, device(DEVICE, TOPIC, false), message(PushUrgency.HIGH, "thread-7", Duration.ofHours(1)));

            assertThat(outcome).isEqualTo(PushOutcome.sent(200));
            ApnsPushNotification seen = accepted.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.getToken()).isEqualTo(DEVICE);
            assertThat(seen.getTopic()).isEqualTo(TOPIC);
            assertThat(seen.getCollapseId()).isEqualTo("thread-7");
            assertThat(seen.getPriority()).isEqualTo(DeliveryPriority.IMMEDIATE);
            assertThat(seen.getPushType()).isEqualTo(PushType.ALERT);
            assertThat(seen.getExpiration()).isCloseTo(before.plus(Duration.ofHours(1)), within(5, java.time.temporal.ChronoUnit.SECONDS));

            JsonNode payload = JSON.readTree(seen.getPayload());
            assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("New comment");
            assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("Ann replied to you");
            assertThat(payload.at("/aps/badge").asInt()).isEqualTo(3);
            assertThat(payload.at("/aps/sound").asText()).isEqualTo("default");
            JsonNode herald = payload.get("herald");
            assertThat(herald.toString()).isEqualTo(message(PushUrgency.HIGH, "thread-7", Duration.ofHours(1)).toJson().toString());
            assertThat(herald.get("id").asText()).isEqualTo("n-17");
            assertThat(herald.get("receipt").asText()).isEqualTo("receipt-abc");
        }
    }

    @Test
    void aQuietPushWithZeroTtlAndALongCollapseKeyIsSentWithPowerSavingNoStorageAndAHashedId() throws Exception {
        String longKey = "conversation:" + "x".repeat(80);
        try (ApnsSender sender = new ApnsSender(settings())) {
            PushOutcome outcome = send(sender, device(DEVICE, TOPIC, false), message(PushUrgency.NORMAL, longKey, Duration.ZERO));

            assertThat(outcome.result()).isEqualTo(Result.SENT);
            ApnsPushNotification seen = accepted.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.getPriority()).isEqualTo(DeliveryPriority.CONSERVE_POWER);
            assertThat(seen.getExpiration()).isEqualTo(Instant.EPOCH);
            assertThat(seen.getCollapseId()).isEqualTo(ApnsNotifications.collapseId(longKey)).hasSize(43);
        }
    }

    @Test
    void aSandboxDeviceGoesToTheDevelopmentServer() throws Exception {
        try (ApnsSender sender = new ApnsSender(settings("127.0.0.1:" + closedPort(), "127.0.0.1:" + port, keyFile, KEY_ID))) {
            assertThat(send(sender, device(DEVICE, TOPIC, true), message(PushUrgency.HIGH, null, Duration.ofMinutes(5))))
                    .isEqualTo(PushOutcome.sent(200));
            assertThat(send(sender, device(DEVICE, TOPIC, false), message(PushUrgency.HIGH, null, Duration.ofMinutes(5))).result())
                    .isEqualTo(Result.RETRY);
            assertThat(accepted).hasSize(1);
        }
    }

    @Test
    void aDeviceApnsNoLongerKnowsIsGone() throws Exception {
        try (ApnsSender sender = new ApnsSender(settings())) {
            PushMessage m = message(PushUrgency.HIGH, null, Duration.ofMinutes(5));
            assertThat(send(sender, device(UNREGISTERED_DEVICE, TOPIC, false), m)).isEqualTo(PushOutcome.gone(410, "Unregistered"));
            assertThat(send(sender, device(UNKNOWN_DEVICE, TOPIC, false), m)).isEqualTo(PushOutcome.gone(400, "DeviceTokenNotForTopic"));
            assertThat(send(sender, device("not-a-token", TOPIC, false), m)).isEqualTo(PushOutcome.gone(400, "BadDeviceToken"));
            assertThat(accepted).isEmpty();
        }
    }

    @Test
    void aDeviceOfAnotherAppIsGone() throws Exception {
        try (ApnsSender sender = new ApnsSender(settings())) {
            PushOutcome outcome = send(sender, device(OTHER_TOPIC_DEVICE, TOPIC, false), message(PushUrgency.HIGH, null, Duration.ofMinutes(5)));

            assertThat(outcome).isEqualTo(PushOutcome.gone(400, "DeviceTokenNotForTopic"));
            assertThat(rejected.poll(5, TimeUnit.SECONDS)).isEqualTo(RejectionReason.DEVICE_TOKEN_NOT_FOR_TOPIC);
        }
    }

    @Test
    void aKeyApnsDoesNotKnowIsRetriedNotSent() throws Exception {
        Path strangerKey = TestCertificates.writePkcs8(dir.resolve("AuthKey_STRANGER01.p8"), TestCertificates.ecKeyPair().getPrivate());
        try (ApnsSender sender = new ApnsSender(settings("127.0.0.1:" + port, "127.0.0.1:" + port, strangerKey, "STRANGER01"))) {
            PushOutcome outcome = send(sender, device(DEVICE, TOPIC, false), message(PushUrgency.HIGH, null, Duration.ofMinutes(5)));

            assertThat(outcome).isEqualTo(PushOutcome.retry(403, "InvalidProviderToken", null));
            assertThat(rejected.poll(5, TimeUnit.SECONDS)).isEqualTo(RejectionReason.INVALID_PROVIDER_TOKEN);
            assertThat(accepted).isEmpty();
        }
    }

    @Test
    void aStoppedServerMeansRetryWithoutStatusWithinTheTimeout() throws Exception {
        EventLoopGroup loop = newLoop();
        try {
            MockApnsServer doomed = mockServer(loop);
            int doomedPort = doomed.start(0).get(10, TimeUnit.SECONDS);
            try (ApnsSender sender = new ApnsSender(settings("127.0.0.1:" + doomedPort, "127.0.0.1:" + doomedPort, keyFile, KEY_ID))) {
                PushMessage m = message(PushUrgency.HIGH, null, Duration.ofMinutes(5));
                assertThat(send(sender, device(DEVICE, TOPIC, false), m)).isEqualTo(PushOutcome.sent(200));
                doomed.shutdown().get(10, TimeUnit.SECONDS);

                long start = System.nanoTime();
                PushOutcome outcome = sender.send(device(DEVICE, TOPIC, false), m).get(TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);

                assertThat(outcome.result()).isEqualTo(Result.RETRY);
                assertThat(outcome.status()).isZero();
                assertThat(outcome.reason()).doesNotContain(DEVICE);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(TIMEOUT.plusSeconds(1));
            }
        } finally {
            loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClosedSenderAnswersRetryAtOnce() throws Exception {
        ApnsSender sender = new ApnsSender(settings());
        sender.close();

        assertThat(send(sender, device(DEVICE, TOPIC, false), message(PushUrgency.HIGH, null, Duration.ofMinutes(5))))
                .isEqualTo(PushOutcome.retry(0, "the APNs sender is closed", null));
        assertThat(accepted).isEmpty();
    }

    /** A port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
