package dev.herald.server.push;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.config.PushOptions;
import dev.herald.server.push.fcm.FcmPeer;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * APNs and FCM through a real node, over HTTP only: devices registered by the user, publishes by
 * the app backend's API key. APNs is two Pushy mock servers (production and sandbox, each knowing
 * only its own device tokens, as Apple's do) that check the node's provider token against the
 * test's signing key; FCM is {@link FcmPeer}, which checks the OAuth grant signed with the test's
 * service account key. All three speak TLS with a test certificate the node trusts only through
 * {@code --push-trust-file}.
 */
class MobilePushEndToEndTest {
    private static final String TEAM = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOPIC = "dev.herald.demo";
    private static final String PROJECT = "herald-test";
    private static final String EMAIL = "herald@herald-test.iam.gserviceaccount.com";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ANA_IPHONE = "a0".repeat(32);
    private static final String ANA_DEV_IPHONE = "a1".repeat(32);
    private static final String ANA_PIXEL = "ana-pixel:APA91bHerald0000000000000";
    private static final String BO_IPHONE = "b0".repeat(32);
    private static final String CY_OLD_IPHONE = "c0".repeat(32);

    @TempDir
    static Path dir;
    private static EventLoopGroup apnsLoop;
    private static MockApnsServer production;
    private static MockApnsServer sandbox;
    private static final List<ApnsPushNotification> atProduction = new CopyOnWriteArrayList<>();
    private static final List<ApnsPushNotification> atSandbox = new CopyOnWriteArrayList<>();
    private static final List<String> apnsRefused = new CopyOnWriteArrayList<>();
    private static FcmPeer fcm;
    private static Path trustFile;
    private static Path serviceAccount;
    private static TestServer node;

    @BeforeAll
    static void startProvidersAndNode() throws Exception {
        TestCertificates tls = TestCertificates.selfSigned();
        trustFile = Files.writeString(dir.resolve("push-trust.pem"), tls.certificatePem());

        KeyPair apnsKey = TestCertificates.ecKeyPair();
        Path keyFile = TestCertificates.writePkcs8(dir.resolve("AuthKey_" + KEY_ID + ".p8"), apnsKey.getPrivate());
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) apnsKey.getPublic());
        apnsLoop = newLoop();
        production = mockApns(tls, verification, Set.of(ANA_IPHONE, BO_IPHONE), Map.of(CY_OLD_IPHONE, Instant.now().minusSeconds(60)),
                atProduction);
        sandbox = mockApns(tls, verification, Set.of(ANA_DEV_IPHONE), Map.of(), atSandbox);
        int productionPort = production.start(0).get(10, TimeUnit.SECONDS);
        int sandboxPort = sandbox.start(0).get(10, TimeUnit.SECONDS);

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair accountKey = rsa.generateKeyPair();
        fcm = new FcmPeer(tls, (RSAPublicKey) accountKey.getPublic(), EMAIL, PROJECT);
        // Google's token endpoint in the file: the node must go to --push-fcm-token-url instead.
        serviceAccount = fcm.writeServiceAccount(dir.resolve("service-account.json"), accountKey.getPrivate(),
                URI.create("https://oauth2.googleapis.com/token"));

        node = TestServer.start(b -> b.push(new PushOptions(true, "mailto:ops@herald.test", null, null, false,
                keyFile, KEY_ID, TEAM, URI.create("https://127.0.0.1:" + productionPort),
                URI.create("https://127.0.0.1:" + sandboxPort), serviceAccount, fcm.baseUrl(), fcm.tokenUrl(), trustFile)));
    }

    @SuppressWarnings("deprecation") // Pushy 0.15's server knows NioEventLoopGroup by name
    private static EventLoopGroup newLoop() {
        return new NioEventLoopGroup(1);
    }

    /** A mock APNs server that knows {@code tokens} for {@link #TOPIC} and records what it accepts. */
    private static MockApnsServer mockApns(TestCertificates tls, ApnsVerificationKey key, Set<String> tokens,
                                           Map<String, Instant> unregistered, List<ApnsPushNotification> accepted)
            throws Exception {
        return new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[]{tls.certificate()}, tls.key(), null)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, tokens), unregistered,
                        Map.of(KEY_ID, key), Map.of(key, Set.of(TOPIC))))
                .setEventLoopGroup(apnsLoop)
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification notification) {
                        accepted.add(notification);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification notification, RejectionReason reason,
                                                               Instant tokenExpiration) {
                        apnsRefused.add(notification.getToken() + " " + reason);
                    }
                })
                .build();
    }

    @AfterAll
    static void stopNodeAndProviders() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            try {
                if (fcm != null) {
                    fcm.close();
                }
                for (MockApnsServer server : new MockApnsServer[]{production, sandbox}) {
                    if (server != null) {
                        server.shutdown().get(10, TimeUnit.SECONDS);
                    }
                }
            } finally {
                if (apnsLoop != null) {
                    apnsLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Api api() {
        return node.api;
    }

    private static String token(String user) {
        return node.tokens.forUser(user);
    }

    private static Api.Reply asBackend(String method, String path) {
        return api().send(method, path, null, Map.of("Authorization", "Bearer " + TestServer.API_KEY));
    }

    /** Registers a device as the user; returns Herald's device id. */
    private static String register(String user, String body) {
        Api.Reply r = api().asUser("POST", "/api/v1/me/devices", token(user), body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("device").get("id").asText();
    }

    private static String apns(String deviceToken, String environment) {
        return "{\"platform\":\"apns\",\"token\":\"" + deviceToken + "\",\"topic\":\"" + TOPIC + "\",\"environment\":\""
                + environment + "\"}";
    }

    private static String fcm(String deviceToken) {
        return "{\"platform\":\"fcm\",\"token\":\"" + deviceToken + "\"}";
    }

    /** Publishes as the app backend; returns the notification's id. */
    private static String publish(String user, boolean push, String notification) {
        Api.Reply r = api().publish("{\"to\":{\"user\":\"" + user + "\"},\"push\":" + push + ",\"notification\":" + notification + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("notifications").get(0).get("id").asText();
    }

    /** The device's attempts, newest first, once there are {@code count}. */
    private static JsonNode attempts(String user, String device, int count) {
        String path = "/api/v1/users/" + user + "/devices/" + device + "/attempts";
        await().atMost(WAIT.multipliedBy(2)).until(() -> asBackend("GET", path).json().get("attempts").size() >= count);
        JsonNode attempts = asBackend("GET", path).json().get("attempts");
        assertThat(attempts).as(attempts.toString()).hasSize(count);
        return attempts;
    }

    private static List<ApnsPushNotification> to(List<ApnsPushNotification> server, String deviceToken) {
        return server.stream().filter(n -> n.getToken().equals(deviceToken)).toList();
    }

    private static List<JsonNode> toFcm(String deviceToken) {
        return fcm.messages.stream().filter(m -> m.path("token").asText().equals(deviceToken)).toList();
    }

    @Test
    void aPushReachesAnApnsProductionAnApnsSandboxAndAnFcmDeviceOnceEachWithTextsBadgeAndHeraldFields() throws Exception {
        String iphone = register("ana", apns(ANA_IPHONE, "production"));
        String devIphone = register("ana", apns(ANA_DEV_IPHONE, "development"));
        String pixel = register("ana", fcm(ANA_PIXEL));
        publish("ana", false, "{\"type\":\"earlier\"}");
        String id = publish("ana", true, "{\"type\":\"order_ready\",\"title\":\"Order 17\",\"body\":\"Table 4\"}");

        for (String device : List.of(iphone, devIphone, pixel)) {
            JsonNode attempt = attempts("ana", device, 1).get(0);
            assertThat(attempt.get("outcome").asText()).as(device).isEqualTo("sent");
            assertThat(attempt.get("status").asInt()).isEqualTo(200);
            assertThat(attempt.get("notification_id").asText()).isEqualTo(id);
        }
        assertThat(to(atProduction, ANA_IPHONE)).hasSize(1);
        assertThat(to(atSandbox, ANA_DEV_IPHONE)).as("a development build's token goes to the sandbox").hasSize(1);
        assertThat(to(atProduction, ANA_DEV_IPHONE)).isEmpty();
        assertThat(to(atSandbox, ANA_IPHONE)).isEmpty();
        assertThat(apnsRefused).noneMatch(r -> r.startsWith(ANA_IPHONE) || r.startsWith(ANA_DEV_IPHONE));
        assertThat(toFcm(ANA_PIXEL)).hasSize(1);

        for (ApnsPushNotification n : List.of(to(atProduction, ANA_IPHONE).get(0), to(atSandbox, ANA_DEV_IPHONE).get(0))) {
            assertThat(n.getTopic()).isEqualTo(TOPIC);
            JsonNode payload = JSON.readTree(n.getPayload());
            assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("Order 17");
            assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("Table 4");
            assertThat(payload.at("/aps/badge").asInt()).as("the unseen count").isEqualTo(2);
            assertThat(payload.at("/herald/id").asText()).isEqualTo(id);
            assertThat(payload.at("/herald/type").asText()).isEqualTo("order_ready");
            assertThat(payload.at("/herald/receipt").asText()).isNotBlank();
        }
        JsonNode m = toFcm(ANA_PIXEL).get(0);
        assertThat(m.at("/notification/title").asText()).isEqualTo("Order 17");
        assertThat(m.at("/notification/body").asText()).isEqualTo("Table 4");
        assertThat(m.at("/android/notification/notification_count").asInt()).isEqualTo(2);
        assertThat(m.at("/data/badge").asText()).isEqualTo("2");
        assertThat(m.at("/data/id").asText()).isEqualTo(id);
        assertThat(m.at("/data/receipt").asText()).isNotBlank();
    }

    @Test
    void theReceiptInAnApnsPushMarksItsNotificationRead() throws Exception {
        register("bo", apns(BO_IPHONE, "production"));
        publish("bo", true, "{\"type\":\"new_message\",\"title\":\"Hi\"}");
        await().atMost(WAIT).until(() -> !to(atProduction, BO_IPHONE).isEmpty());
        String receipt = JSON.readTree(to(atProduction, BO_IPHONE).get(0).getPayload()).at("/herald/receipt").asText();
        assertThat(api().asUser("GET", "/api/v1/me/notifications/unread-count", token("bo"), null).json()
                .get("count").asLong()).isEqualTo(1);

        Api.Reply opened = api().send("POST", "/api/v1/push/opened", "{\"receipt\":\"" + receipt + "\"}", Map.of());

        assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        assertThat(api().asUser("GET", "/api/v1/me/notifications/unread-count", token("bo"), null).json()
                .get("count").asLong()).isZero();
    }

    @Test
    void devicesApnsAndFcmCallUnregisteredAreRemovedAndTheirHistorySaysGone() {
        String iphone = register("cy", apns(CY_OLD_IPHONE, "production"));
        String android = register("cy", fcm(FcmPeer.UNREGISTERED));
        publish("cy", true, "{\"type\":\"t\"}");

        await().atMost(WAIT).until(() -> api().asUser("GET", "/api/v1/me/devices", token("cy"), null).json()
                .get("devices").isEmpty());
        JsonNode apnsGone = attempts("cy", iphone, 1).get(0);
        assertThat(apnsGone.get("outcome").asText()).isEqualTo("gone");
        assertThat(apnsGone.get("status").asInt()).isEqualTo(410);
        assertThat(apnsGone.get("reason").asText()).isEqualTo("Unregistered");
        JsonNode fcmGone = attempts("cy", android, 1).get(0);
        assertThat(fcmGone.get("outcome").asText()).isEqualTo("gone");
        assertThat(fcmGone.get("status").asInt()).isEqualTo(404);
        assertThat(fcmGone.get("reason").asText()).isEqualTo("UNREGISTERED");
        assertThat(to(atProduction, CY_OLD_IPHONE)).isEmpty();
    }

    @Test
    void anFcmAnswerOf503WithRetryAfterIsTriedAgainNoSoonerAndDeliveredOnce() {
        fcm.retryAfterSeconds = 6; // over the dispatcher's first backoff (at most 5 s), so the wait is the provider's
        String android = register("di", fcm(FcmPeer.BUSY_ONCE));
        String id = publish("di", true, "{\"type\":\"t\"}");

        JsonNode attempts = attempts("di", android, 2);

        JsonNode sent = attempts.get(0);
        JsonNode retry = attempts.get(1);
        assertThat(retry.get("outcome").asText()).isEqualTo("retry");
        assertThat(retry.get("status").asInt()).isEqualTo(503);
        assertThat(retry.get("reason").asText()).isEqualTo("UNAVAILABLE");
        assertThat(sent.get("outcome").asText()).isEqualTo("sent");
        assertThat(sent.get("attempt").asInt()).isEqualTo(2);
        assertThat(Duration.between(Instant.parse(retry.get("at").asText()), Instant.parse(sent.get("at").asText())))
                .isGreaterThanOrEqualTo(Duration.ofMillis(5900));
        assertThat(toFcm(FcmPeer.BUSY_ONCE)).singleElement().satisfies(m -> assertThat(m.at("/data/id").asText()).isEqualTo(id));
        assertThat(fcm.attemptsFor(FcmPeer.BUSY_ONCE)).isEqualTo(2);
    }

    @Test
    void theConfigListsEveryPlatformAndAMobileRegistrationIsRefusedNamingTheWrongField() {
        JsonNode config = api().get("/api/v1/push/config").json();
        assertThat(config.get("platforms")).extracting(JsonNode::asText).containsExactlyInAnyOrder("apns", "fcm", "webpush");

        String[][] refused = {
                {"{\"platform\":\"apns\",\"token\":\"not-hex\",\"topic\":\"" + TOPIC + "\"}", "token"},
                {"{\"platform\":\"apns\",\"token\":\"" + "ab".repeat(16) + "\",\"topic\":\"" + TOPIC + "\"}", "token"},
                {"{\"platform\":\"apns\",\"token\":\"" + "e0".repeat(32) + "\"}", "topic"},
                {"{\"platform\":\"apns\",\"token\":\"" + "e0".repeat(32) + "\",\"topic\":\"" + TOPIC + "\",\"environment\":\"staging\"}",
                        "environment"},
                {"{\"platform\":\"fcm\",\"token\":\"short\"}", "token"},
                {"{\"platform\":\"fcm\",\"token\":\"" + ANA_PIXEL + "\",\"topic\":\"" + TOPIC + "\"}", "topic"}};
        for (String[] c : refused) {
            Api.Reply r = api().asUser("POST", "/api/v1/me/devices", token("ed"), c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(c[1]);
        }
        assertThat(api().asUser("GET", "/api/v1/me/devices", token("ed"), null).json().get("devices")).isEmpty();
    }

    @Test
    void aNodeWithoutApnsRefusesAnApnsDeviceNamingThePlatform() {
        try (TestServer fcmOnly = TestServer.start(b -> b.push(new PushOptions(true, PushOptions.DEFAULT_SUBJECT, null, null,
                false, null, null, null, PushOptions.APNS, PushOptions.APNS_SANDBOX, serviceAccount, fcm.baseUrl(),
                fcm.tokenUrl(), trustFile)))) {
            assertThat(fcmOnly.api.get("/api/v1/push/config").json().get("platforms")).extracting(JsonNode::asText)
                    .containsExactlyInAnyOrder("fcm", "webpush");

            Api.Reply r = fcmOnly.api.asUser("POST", "/api/v1/me/devices", fcmOnly.tokens.forUser("fa"), apns("f0".repeat(32), "production"));

            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.json().get("field").asText()).isEqualTo("platform");
            assertThat(r.json().get("error").asText()).contains("apns is not configured");
            assertThat(fcmOnly.api.asUser("POST", "/api/v1/me/devices", fcmOnly.tokens.forUser("fa"), fcm(ANA_PIXEL)).status())
                    .isEqualTo(201);
        }
    }
}
