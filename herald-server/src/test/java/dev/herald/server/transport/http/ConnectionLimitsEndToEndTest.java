package dev.herald.server.transport.http;

import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.RawUpgrade;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one anonymous client can hold: connections (per address and in total) and time (the
 * request deadline). Each abuse is measured against a well-behaved client served meanwhile.
 */
class ConnectionLimitsEndToEndTest {

    @Test
    void silentConnectionsAreClosedAtTheRequestDeadlineWhileOthersAreServed() {
        List<RawHttp> silent = new ArrayList<>();
        try (TestServer server = TestServer.start(b -> b.requestTimeout(Duration.ofMillis(800)))) {
            for (int i = 0; i < 200; i++) {
                silent.add(RawHttp.connect(server.port()));
            }
            try (RawHttp client = RawHttp.connect("127.0.0.2", server.port())) {
                client.send(RawHttp.get("/healthz"));
                assertThat(client.read(2_000).status()).as("a client served among 200 silent ones").isEqualTo(200);
            }
            for (RawHttp s : silent) {
                assertThat(s.awaitEof(5_000)).as("a silent connection is closed").isGreaterThanOrEqualTo(0);
            }
        } finally {
            silent.forEach(RawHttp::close);
        }
    }

    @Test
    void headersSentOneByteAtATimeDoNotHoldConnectionsPastTheDeadline() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try (TestServer server = TestServer.start(b -> b.requestTimeout(Duration.ofMillis(800)))) {
            byte[] head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 50; i++) {
                slow.add(RawHttp.connect(server.port()));
            }
            long start = System.nanoTime();
            int open = slow.size();
            boolean served = false;
            for (int i = 0; i < head.length && open > 0 && elapsedMs(start) < 5_000; i++) {
                open = 0;
                for (RawHttp s : slow) {
                    open += s.trySend(new byte[] {head[i]}) ? 1 : 0;
                }
                if (i == 5) {
                    try (RawHttp client = RawHttp.connect("127.0.0.2", server.port())) {
                        client.send(RawHttp.get("/healthz"));
                        served = client.read(2_000).status() == 200;
                    }
                }
                Thread.sleep(50); // the slowloris pace itself, not a wait for a result
            }
            assertThat(served).as("a client served during the slowloris").isTrue();
            for (RawHttp s : slow) {
                assertThat(s.awaitEof(5_000)).as("the server closed each slowloris connection").isGreaterThanOrEqualTo(0);
            }
            assertThat(elapsedMs(start)).as("ms the slowloris connections lived").isLessThan(4_000);
        } finally {
            slow.forEach(RawHttp::close);
        }
    }

    @Test
    void aRequestWhoseBodyStallsIsAnsweredWith408() {
        try (TestServer server = TestServer.start(b -> b.requestTimeout(Duration.ofMillis(500)));
             RawHttp stalled = RawHttp.connect(server.port())) {
            stalled.send("POST /api/v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"to\":");
            RawHttp.Response answer = stalled.read(5_000);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(stalled.awaitEof(2_000)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void connectionsBeingServedAreNotCutByTheRequestDeadline() throws Exception {
        try (TestServer server = TestServer.start(b -> b.requestTimeout(Duration.ofMillis(300)));
             WsClient ws = server.connectAs("patient", "/ws/notifications")) {
            assertThat(ws.nextOfType("connected", Duration.ofSeconds(5))).isNotNull();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + server.port() + "/sse/notifications?access_token=" + server.tokens.forUser("patient")))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(sse.statusCode()).isEqualTo(200);
            Thread.sleep(1_200); // four request deadlines pass while both streams stay open
            server.api.notifyUser("patient", "{\"type\":\"late\"}");
            assertThat(ws.nextOfType("late", Duration.ofSeconds(5))).isNotNull();
            byte[] buf = new byte[4096];
            StringBuilder seen = new StringBuilder();
            long start = System.nanoTime();
            try (java.io.InputStream in = sse.body()) {
                while (!seen.toString().contains("late") && elapsedMs(start) < 5_000) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
            assertThat(seen.toString()).contains("late");
            assertThat(ws.isClosed()).isFalse();
        }
    }

    @Test
    void oneAddressCannotTakeMoreThanItsShareOfConnectionsAndOthersAreStillServed() {
        List<RawHttp> flood = new ArrayList<>();
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerIp(20))) {
            for (int i = 0; i < 20; i++) {
                flood.add(served(RawHttp.connect("127.0.0.1", server.port())));
            }
            try (RawHttp over = RawHttp.connect("127.0.0.1", server.port())) {
                RawHttp.Response refused = over.read(5_000);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.body()).contains("too many connections from your address");
            }
            try (RawHttp other = RawHttp.connect("127.0.0.2", server.port())) {
                other.send(RawHttp.get("/healthz"));
                assertThat(other.read(5_000).status()).as("a client on another address").isEqualTo(200);
            }
            flood.remove(0).close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawHttp again = RawHttp.connect("127.0.0.1", server.port())) {
                    again.send(RawHttp.get("/healthz"));
                    assertThat(again.read(5_000).status()).isEqualTo(200);
                }
            });
        } finally {
            flood.forEach(RawHttp::close);
        }
    }

    @Test
    void overTheTotalCapConnectionsAreRefusedAtOnceAndTheNodeRecovers() {
        List<RawHttp> flood = new ArrayList<>();
        try (TestServer server = TestServer.start(b -> b.maxConnections(30).maxConnectionsPerIp(0))) {
            for (int i = 0; i < 30; i++) {
                flood.add(served(RawHttp.connect("127.0.0." + (2 + i % 5), server.port())));
            }
            try (RawHttp over = RawHttp.connect(server.port())) {
                assertThat(over.read(5_000).status()).isEqualTo(503);
            }
            flood.forEach(RawHttp::close);
            flood.clear();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(server.api.get("/healthz").status()).isEqualTo(200));
            assertThat(server.api.get("/metrics").body()).contains("herald_edge_refused_total{reason=\"connections_total\"}");
        }
    }

    @Test
    void oneUserCannotOpenMoreSocketsThanTheCap() {
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerUser(3))) {
            List<WsClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    WsClient ws = server.connectAs("greedy", "/ws/notifications");
                    ws.nextOfType("connected", Duration.ofSeconds(5));
                    open.add(ws);
                }
                String token = server.tokens.forUser("greedy");
                RawUpgrade.Answer fourth = RawUpgrade.request(server.port(), "/ws/notifications?access_token=" + token, Map.of());
                assertThat(fourth.status()).isEqualTo(429);
                assertThat(fourth.body()).contains("already has 3 open connections");
                RawUpgrade.Answer chat = RawUpgrade.request(server.port(), "/ws/chat?access_token=" + token, Map.of());
                assertThat(chat.status()).isEqualTo(429);
                RawUpgrade.Answer someoneElse = RawUpgrade.request(server.port(),
                        "/ws/notifications?access_token=" + server.tokens.forUser("modest"), Map.of());
                assertThat(someoneElse.status()).isEqualTo(101);
            } finally {
                open.forEach(WsClient::close);
            }
        }
    }

    /** A connection that was admitted (answered once, kept alive): connections are counted in order. */
    private static RawHttp served(RawHttp http) {
        http.send(RawHttp.get("/healthz"));
        assertThat(http.read(5_000).status()).isEqualTo(200);
        return http;
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
