package dev.herald.server.transport.http;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.RawUpgrade;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page on another origin must not act as the signed-in user: every entry point applies the
 * one origin policy, and cookie-authenticated writes are CSRF-safe.
 */
class OriginPolicyEndToEndTest {
    private static final String EVIL = "https://evil.example";
    private static final String APP = "https://app.example";

    @Test
    void everySocketEntryPointRefusesAForeignOriginEvenWithAValidToken() {
        try (TestServer server = TestServer.start()) {
            String token = server.tokens.forUser("victim");
            for (String path : List.of("/ws/notifications", "/ws/chat")) {
                RawUpgrade.Answer foreign = RawUpgrade.request(server.port(), path + "?access_token=" + token,
                        Map.of("Origin", EVIL));
                assertThat(foreign.status()).as(path).isEqualTo(403);
                assertThat(foreign.body()).contains("origin " + EVIL + " is not allowed");
                assertThat(RawUpgrade.request(server.port(), path + "?access_token=" + token,
                        Map.of("Origin", "http://127.0.0.1:" + server.port())).status()).as(path + " same origin").isEqualTo(101);
                assertThat(RawUpgrade.request(server.port(), path + "?access_token=" + token, Map.of()).status())
                        .as(path + " without Origin").isEqualTo(101);
            }
            try (RawHttp sse = RawHttp.connect(server.port())) {
                sse.send(RawHttp.get("/sse/notifications?access_token=" + token, "Origin: " + EVIL));
                assertThat(sse.read(5_000).status()).isEqualTo(403);
            }
            try (RawHttp polling = RawHttp.connect(server.port())) {
                polling.send(RawHttp.get("/socket.io/?EIO=4&transport=polling", "Origin: " + EVIL,
                        "Cookie: access_token=" + token));
                RawHttp.Response answer = polling.read(5_000);
                assertThat(answer.status()).isEqualTo(403);
                assertThat(answer.header("Access-Control-Allow-Credentials")).isNull();
                assertThat(answer.header("Access-Control-Allow-Origin")).isNull();
            }
        }
    }

    @Test
    void listedOriginsUseEveryEntryPointWithCredentials() {
        try (TestServer server = TestServer.start(b -> b.corsOrigins(List.of(APP)))) {
            String token = server.tokens.forUser("friend");
            assertThat(RawUpgrade.request(server.port(), "/ws/notifications",
                    Map.of("Origin", APP, "Cookie", "access_token=" + token)).status()).isEqualTo(101);
            try (RawHttp polling = RawHttp.connect(server.port())) {
                polling.send(RawHttp.get("/socket.io/?EIO=4&transport=polling", "Origin: " + APP));
                RawHttp.Response answer = polling.read(5_000);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(APP);
                assertThat(answer.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            }
        }
    }

    @Test
    void withTheWildcardAnyOriginMayUseATokenButNeverTheUsersCookie() {
        try (TestServer server = TestServer.start(b -> b.corsOrigins(List.of("*")))) {
            String token = server.tokens.forUser("victim");
            assertThat(RawUpgrade.request(server.port(), "/ws/notifications?access_token=" + token,
                    Map.of("Origin", EVIL)).status()).isEqualTo(101);
            RawUpgrade.Answer cookie = RawUpgrade.request(server.port(), "/ws/notifications",
                    Map.of("Origin", EVIL, "Cookie", "access_token=" + token));
            assertThat(cookie.status()).isEqualTo(403);
            assertThat(cookie.body()).contains("cookie");
            Api.Reply withBearer = server.api.send("GET", "/api/v1/me/notifications/unread-count", null,
                    Map.of("Origin", EVIL, "Authorization", "Bearer " + token));
            assertThat(withBearer.status()).isEqualTo(200);
            assertThat(withBearer.headers().get("access-control-allow-origin")).containsExactly(EVIL);
            assertThat(withBearer.headers()).doesNotContainKey("access-control-allow-credentials");
            Api.Reply withCookie = server.api.send("GET", "/api/v1/me/notifications/unread-count", null,
                    Map.of("Origin", EVIL, "Cookie", "access_token=" + token));
            assertThat(withCookie.status()).isEqualTo(403);
            Api.Reply nullOrigin = server.api.send("OPTIONS", "/api/v1/me/notifications/unread-count", null,
                    Map.of("Origin", "null", "Access-Control-Request-Method", "GET"));
            assertThat(nullOrigin.headers()).doesNotContainKey("access-control-allow-origin");
            try (RawHttp polling = RawHttp.connect(server.port())) {
                polling.send(RawHttp.get("/socket.io/?EIO=4&transport=polling", "Origin: " + EVIL));
                RawHttp.Response answer = polling.read(5_000);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(EVIL);
                assertThat(answer.header("Access-Control-Allow-Credentials")).isNull();
            }
        }
    }

    @Test
    void aCrossSiteFormPostWithTheCookieChangesNothing() {
        try (TestServer server = TestServer.start()) {
            String token = server.tokens.forUser("csrf-victim");
            server.api.notifyUser("csrf-victim", "{\"type\":\"t\"}");
            byte[] form = "x=1".getBytes(StandardCharsets.US_ASCII);
            String cookie = "Cookie: access_token=" + token;
            // A no-cors form post from another site: the browser adds the cookie and the Origin.
            assertThat(post(server, "/api/v1/me/notifications/read-all", "text/plain", form, cookie, "Origin: " + EVIL))
                    .isEqualTo(403);
            // The same without Origin but marked cross-site by the browser.
            assertThat(post(server, "/api/v1/me/notifications/read-all", "text/plain", form, cookie,
                    "Sec-Fetch-Site: cross-site")).isEqualTo(403);
            // No Origin, no fetch metadata (an old browser or a script): the body must be JSON.
            assertThat(post(server, "/api/v1/me/notifications/read-all", "text/plain", form, cookie)).isEqualTo(415);
            assertThat(unread(server, token)).as("nothing was marked read").isEqualTo(1);
            // The app's own page, same origin, JSON: allowed.
            assertThat(post(server, "/api/v1/me/notifications/read-all", "application/json", "{}".getBytes(), cookie,
                    "Host: 127.0.0.1:" + server.port(), "Origin: http://127.0.0.1:" + server.port())).isEqualTo(200);
            assertThat(unread(server, token)).isZero();
        }
    }

    private static int post(TestServer server, String path, String type, byte[] body, String... headers) {
        try (RawHttp http = RawHttp.connect(server.port())) {
            http.send(RawHttp.request("POST", path, type, body, headers));
            return http.read(5_000).status();
        }
    }

    private static long unread(TestServer server, String token) {
        return server.api.asUser("GET", "/api/v1/me/notifications/unread-count", token, null).json().get("count").asLong();
    }
}
