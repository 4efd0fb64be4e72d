package dev.herald.server.push;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.PushOptions;
import dev.herald.server.push.webpush.PushServicePeer;
import dev.herald.server.push.webpush.VapidKeys;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox's guarantees across node lifecycles: a push committed before a restart is sent after
 * it, once; two nodes on one database send each push once between them.
 */
class PushOutboxEndToEndTest {
    private static final PushOptions PUSH = new PushOptions(true, "mailto:ops@herald.test", null, null, true, null, null,
            null, PushOptions.APNS, PushOptions.APNS_SANDBOX, null, PushOptions.FCM, null, null);
    private final TestTokens tokens = new TestTokens(TestServer.SECRET);
    private final List<HeraldServer> nodes = new ArrayList<>();
    private PushServicePeer peer;

    @TempDir
    Path dir;

    @BeforeEach
    void startPeer() throws Exception {
        peer = new PushServicePeer("mailto:ops@herald.test");
    }

    @AfterEach
    void stop() {
        nodes.forEach(HeraldServer::close);
        peer.close();
    }

    private HeraldServer start(Path dataDir, String storeUrl) {
        HeraldServer node = new HeraldServer(HeraldConfig.builder().host("127.0.0.1").port(0).dataDir(dataDir)
                .storeUrl(storeUrl).jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).push(PUSH).build()).start();
        nodes.add(node);
        return node;
    }

    private static Api api(HeraldServer node) {
        return new Api("http://127.0.0.1:" + node.port(), TestServer.API_KEY);
    }

    private void register(HeraldServer node, String user) {
        Api.Reply r = api(node).asUser("POST", "/api/v1/me/devices", tokens.forUser(user),
                "{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson(user) + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private Map<String, Long> pushesPerDevice() {
        return peer.received().stream().collect(Collectors.groupingBy(PushServicePeer.Received::path, Collectors.counting()));
    }

    @Test
    void aPushDueAfterARestartIsSentOnceByTheRestartedNode() throws Exception {
        Path data = dir.resolve("data");
        HeraldServer first = start(data, null);
        register(first, "rae");
        Api.Reply published = api(first).publish("{\"to\":{\"user\":\"rae\"},\"push\":{\"policy\":\"if_unseen_after\",\"delay\":2},"
                + "\"notification\":{\"type\":\"before_restart\"}}");
        assertThat(published.status()).isEqualTo(201);
        first.close();
        Thread.sleep(2_500);
        assertThat(peer.received()).as("nothing was due while the node ran").isEmpty();

        start(data, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> !peer.received().isEmpty());
        assertThat(peer.received().get(0).payload().get("type").asText()).isEqualTo("before_restart");
        assertThat(peer.received().get(0).problems()).isEmpty();
        Thread.sleep(1_500);
        assertThat(peer.received()).hasSize(1);
    }

    @Tag("postgres")
    @Test
    void twoNodesOnOneDatabaseSendEachPushOnceBetweenThem() throws Exception {
        try (PostgresSupport pg = PostgresSupport.freshSchema("pushnodes")) {
            Path a = dir.resolve("a");
            Path b = dir.resolve("b");
            Files.createDirectories(a);
            Files.createDirectories(b);
            VapidKeys.loadOrCreate(a, new java.security.SecureRandom());
            // Every node of a cluster signs with the same VAPID pair (docs/push.md).
            Files.copy(a.resolve(VapidKeys.FILE_NAME), b.resolve(VapidKeys.FILE_NAME));
            HeraldServer one = start(a, pg.storeUrl());
            HeraldServer two = start(b, pg.storeUrl());
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                users.add("u" + i);
                register(i % 2 == 0 ? one : two, "u" + i);
            }
            Map<String, Long> expected = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < users.size(); i++) {
                    HeraldServer via = (i + round) % 2 == 0 ? one : two;
                    assertThat(api(via).publish("{\"to\":{\"user\":\"" + users.get(i) + "\"},\"push\":true,"
                            + "\"notification\":{\"type\":\"n" + round + "\"}}").status()).isEqualTo(201);
                    expected.merge("/push/" + users.get(i), 1L, Long::sum);
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.received().size() >= 120);
            Thread.sleep(1_500);
            assertThat(pushesPerDevice()).isEqualTo(expected);
            assertThat(peer.received()).allSatisfy(r -> assertThat(r.problems()).isEmpty());
        }
    }
}
