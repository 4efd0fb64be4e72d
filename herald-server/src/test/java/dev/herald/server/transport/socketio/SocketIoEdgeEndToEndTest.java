package dev.herald.server.transport.socketio;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Socket.IO follows the node's edge rules: the cookie only from origins that may use it, the per-user cap. */
class SocketIoEdgeEndToEndTest {

    /** Opens an Engine.IO polling session, sends CONNECT to "/" with {@code auth}, and returns the answer packet. */
    private static String connect(TestServer server, Map<String, String> headers, String auth) {
        Api api = server.api;
        Api.Reply open = api.send("GET", "/socket.io/?EIO=4&transport=polling", null, headers);
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        String sid = open.body().replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
        Map<String, String> post = new HashMap<>(headers);
        post.put("Content-Type", "text/plain;charset=UTF-8");
        Api.Reply sent = api.sendText("POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid,
                auth == null ? "40" : "40" + auth, post);
        assertThat(sent.status()).isEqualTo(200);
        Api.Reply answer = api.send("GET", "/socket.io/?EIO=4&transport=polling&sid=" + sid, null, headers);
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    @Test
    void theCookieIsRefusedFromAnOriginOnlyCoveredByTheWildcardWhileATokenIsAccepted() {
        try (TestServer server = TestServer.start(b -> b.corsOrigins(List.of("*")))) {
            String token = server.tokens.forUser("victim");
            String withCookie = connect(server, Map.of("Origin", "https://evil.example", "Cookie", "access_token=" + token), null);
            assertThat(withCookie).startsWith("44").contains("cookie_not_allowed");
            String withToken = connect(server, Map.of("Origin", "https://evil.example"), "{\"token\":\"" + token + "\"}");
            assertThat(withToken).startsWith("40");
            String sameOriginCookie = connect(server, Map.of("Origin", "http://127.0.0.1:" + server.port(),
                    "Cookie", "access_token=" + token), null);
            assertThat(sameOriginCookie).startsWith("40");
        }
    }

    @Test
    void aUserAtTheSocketCapIsRefusedWithTooManyConnections() {
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerUser(2))) {
            String token = server.tokens.forUser("greedy");
            try (WsClient a = server.connectAs("greedy", "/ws/notifications");
                 WsClient b = server.connectAs("greedy", "/ws/notifications")) {
                a.nextOfType("connected", Duration.ofSeconds(5));
                b.nextOfType("connected", Duration.ofSeconds(5));
                String refused = connect(server, Map.of(), "{\"token\":\"" + token + "\"}");
                assertThat(refused).startsWith("44").contains("too_many_connections");
            }
        }
    }
}
