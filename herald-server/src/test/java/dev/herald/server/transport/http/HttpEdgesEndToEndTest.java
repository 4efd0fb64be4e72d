package dev.herald.server.transport.http;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Cross-origin access, development mode, broadcasts and disconnects as configured. */
class HttpEdgesEndToEndTest {

    @Test
    void configuredOriginsMayCallTheApiFromABrowserAndOthersMayNot() {
        try (TestServer server = TestServer.start(b -> b.corsOrigins(List.of("https://app.example")))) {
            Api.Reply preflight = server.api.send("OPTIONS", "/api/v1/me/notifications", null, Map.of(
                    "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
                    "Access-Control-Request-Headers", "authorization"));
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers().get("access-control-allow-origin")).containsExactly("https://app.example");
            assertThat(preflight.headers().get("access-control-allow-headers").get(0)).contains("Authorization");

            String token = server.tokens.forUser("cors");
            Api.Reply allowed = server.api.send("GET", "/api/v1/me/notifications", null,
                    Map.of("Origin", "https://app.example", "Authorization", "Bearer " + token));
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.headers().get("access-control-allow-origin")).containsExactly("https://app.example");

            Api.Reply other = server.api.send("GET", "/api/v1/me/notifications", null,
                    Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + token));
            assertThat(other.headers()).doesNotContainKey("access-control-allow-origin");
        }
    }

    @Test
    void theDevTokenEndpointExistsOnlyInDevelopmentMode() {
        try (TestServer dev = TestServer.start(b -> b.devMode(true)); TestServer prod = TestServer.start()) {
            Api.Reply minted = dev.api.send("POST", "/api/v1/dev/token", "{\"user_id\":\"demo-1\",\"topics\":[\"branch:7\"]}", Map.of());
            assertThat(minted.status()).isEqualTo(200);
            String token = minted.json().get("token").asText();
            try (WsClient ws = WsClient.connect(dev.wsUrl("/ws/notifications?type=branch&id=7&access_token=" + token), null)) {
                assertThat(ws.nextOfType("connected", Duration.ofSeconds(5)).get("user_id").asText()).isEqualTo("demo-1");
            }
            assertThat(dev.api.send("POST", "/api/v1/dev/token", "{}", Map.of()).status()).isEqualTo(400);
            assertThat(prod.api.send("POST", "/api/v1/dev/token", "{\"user_id\":\"x\"}", Map.of()).status()).isEqualTo(404);
        }
    }

    @Test
    void aBroadcastAnswersWithTheCountAndReachesUsersWhoOnlyPoll() {
        try (TestServer server = TestServer.start()) {
            String poller = server.tokens.forUser("poller");
            assertThat(server.api.asUser("GET", "/api/v1/me/notifications/unread-count", poller, null).status()).isEqualTo(200);
            Api.Reply r = server.api.publish("{\"to\":{\"all\":true},\"notification\":{\"type\":\"maintenance\"}}");
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().get("count").asInt()).isEqualTo(1);
            assertThat(r.json().has("ids")).isFalse();
            assertThat(server.api.asUser("GET", "/api/v1/me/notifications", poller, null).json()
                    .get("notifications").get(0).get("type").asText()).isEqualTo("maintenance");
        }
    }

    @Test
    void anAppBackendCanDisconnectAUser() {
        try (TestServer server = TestServer.start(); WsClient ws = server.connectAs("kicked", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            Api.Reply r = server.api.send("POST", "/api/v1/users/kicked/disconnect", null,
                    Map.of("Authorization", "Bearer " + TestServer.API_KEY));
            assertThat(r.json().get("connections_closed").asInt()).isEqualTo(1);
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(4009);
        }
    }
}
