package dev.herald.server.api;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import dev.herald.server.config.PushOptions;
import dev.herald.server.push.webpush.PushServicePeer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The development-only routes the demo pages use: on with --dev, absent without. */
class DevRoutesTest {

    @Test
    void notifyMePublishesToTheCallersOwnStreamAndReachesTheirSocket() throws Exception {
        try (TestServer server = TestServer.start(b -> b.devMode(true))) {
            String token = server.tokens.forUser("ann");
            try (WsClient ws = server.connectAs("ann", "/ws/notifications")) {
                ws.nextOfType("connected", java.time.Duration.ofSeconds(5));
                Api.Reply reply = server.api.asUser("POST", "/api/v1/dev/notify-me", token,
                        "{\"type\":\"test_notification\",\"message\":\"hi\"}");
                assertThat(reply.status()).isEqualTo(201);
                assertThat(reply.json().get("seq").asLong()).isEqualTo(1);
                assertThat(ws.nextOfType("test_notification", java.time.Duration.ofSeconds(5)).get("message").asText()).isEqualTo("hi");
            }
            assertThat(server.api.asUser("GET", "/api/v1/me/notifications/unread-count", token, null).json().get("count").asInt())
                    .isEqualTo(1);
        }
    }

    @Test
    void notifyMeValidatesLikeAPublishAndNeedsAUserToken() {
        try (TestServer server = TestServer.start(b -> b.devMode(true))) {
            String token = server.tokens.forUser("ann");
            Api.Reply reserved = server.api.asUser("POST", "/api/v1/dev/notify-me", token, "{\"type\":\"connected\"}");
            assertThat(reserved.status()).isEqualTo(400);
            assertThat(reserved.json().get("field").asText()).isEqualTo("notification.type");
            assertThat(server.api.asUser("POST", "/api/v1/dev/notify-me", token, "{\"no_type\":1}").status()).isEqualTo(400);
            assertThat(server.api.asUser("POST", "/api/v1/dev/notify-me", TestServer.API_KEY, "{\"type\":\"x\"}").status())
                    .isEqualTo(401);
            assertThat(server.api.send("POST", "/api/v1/dev/notify-me", "{\"type\":\"x\"}", java.util.Map.of()).status())
                    .isEqualTo(401);
        }
    }

    @Test
    void notifyMeWithPushSendsAWebPushToTheCallersDevicesAndRefusesAnUnknownPushValue() throws Exception {
        PushOptions push = new PushOptions(true, "mailto:ops@herald.test", null, null, true, null, null, null,
                PushOptions.APNS, PushOptions.APNS_SANDBOX, null, PushOptions.FCM, null, null);
        try (TestServer server = TestServer.start(b -> b.devMode(true).push(push));
             PushServicePeer peer = new PushServicePeer("mailto:ops@herald.test")) {
            String token = server.tokens.forUser("ann");
            assertThat(server.api.asUser("POST", "/api/v1/me/devices", token,
                    "{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson("ann") + "}").status()).isEqualTo(201);

            Api.Reply refused = server.api.asUser("POST", "/api/v1/dev/notify-me?push=maybe", token, "{\"type\":\"x\"}");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("field").asText()).isEqualTo("push");
            assertThat(server.api.asUser("POST", "/api/v1/dev/notify-me?push=false", token, "{\"type\":\"quiet\"}").status())
                    .isEqualTo(201);
            Api.Reply pushed = server.api.asUser("POST", "/api/v1/dev/notify-me?push=true", token,
                    "{\"type\":\"order_created\",\"title\":\"Order #1001\"}");
            assertThat(pushed.status()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(10)).until(() -> !peer.received().isEmpty());
            PushServicePeer.Received received = peer.received().getFirst();
            assertThat(received.problems()).isEmpty();
            assertThat(received.payload().get("id").asText()).isEqualTo(pushed.json().get("id").asText());
            assertThat(received.payload().get("title").asText()).isEqualTo("Order #1001");
            Thread.sleep(300);
            assertThat(peer.received()).as("push=false and the refused one sent nothing").hasSize(1);
        }
    }

    @Test
    void presenceAnswersForTheDemoAndRefusesAnEmptyList() {
        try (TestServer server = TestServer.start(b -> b.devMode(true))) {
            String token = server.tokens.forUser("ann");
            Api.Reply reply = server.api.asUser("GET", "/api/v1/dev/presence?users=bob,cy", token, null);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("users")).hasSize(2);
            assertThat(reply.json().get("users").get(0).get("online").asBoolean()).isFalse();
            assertThat(server.api.asUser("GET", "/api/v1/dev/presence", token, null).status()).isEqualTo(400);
        }
    }

    @Test
    void withoutDevModeTheDevRoutesDoNotExist() {
        try (TestServer server = TestServer.start()) {
            String token = server.tokens.forUser("ann");
            assertThat(server.api.asUser("POST", "/api/v1/dev/notify-me", token, "{\"type\":\"x\"}").status()).isEqualTo(404);
            assertThat(server.api.asUser("GET", "/api/v1/dev/presence?users=bob", token, null).status()).isEqualTo(404);
            assertThat(server.api.send("POST", "/api/v1/dev/token", "{\"user_id\":\"ann\"}", java.util.Map.of()).status())
                    .isEqualTo(404);
            assertThat(server.api.get("/").status()).as("the demo page itself is served, its sign-in says --dev").isEqualTo(200);
        }
    }
}
