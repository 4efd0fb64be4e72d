package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.socketio.engine.EngineHandshake;
import dev.herald.socketio.engine.EngineIoServer;
import dev.herald.socketio.engine.EngineSession;
import dev.herald.socketio.engine.HandshakeRefusal;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Anonymous handshakes are bounded: a session keeps only the configured headers (and cookies), a
 * handshake keeping too much is refused (431), pending sessions (no socket in a namespace yet) are
 * capped per client address (429) and in total, in count and bytes (503), and every way out of
 * the pending state gives the count back. Clients from 127.0.0.2 and 127.0.0.3 (Linux loopback)
 * play other addresses.
 */
class PendingSessionLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPEN = "/socket.io/?EIO=4&transport=polling";
    private static final String WS = "/socket.io/?EIO=4&transport=websocket";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ConformanceServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /**
     * A server with a long heartbeat (sessions left alone must stay pending), the given limits,
     * and a namespace {@code /secure} admitting the token {@code good}.
     */
    private ConformanceServer start(UnaryOperator<SocketIoConfig> customize) throws Exception {
        SocketIoConfig config = customize.apply(SocketIoConfig.defaults()
                .withEngine(ConformanceServer.suiteEngineConfig("/socket.io/")
                        .withPing(Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .withConnectTimeout(Duration.ofSeconds(20)));
        server = ConformanceServer.start("127.0.0.1", 0, config);
        toClose.add(server);
        server.socketIo().of("/secure").use(socket -> "good".equals(socket.handshake().auth().path("token").asText())
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new ConnectRefusedException("not authorized")));
        return server;
    }

    private SuiteClient client(String localAddress) throws Exception {
        SuiteClient c = new SuiteClient(server.port(), InetAddress.getByName(localAddress));
        toClose.add(c);
        return c;
    }

    private EngineIoServer engine() {
        return server.socketIo().engine();
    }

    private static HttpResponse<String> open(SuiteClient c, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(c.uri(OPEN)).GET();
        headers.forEach(b::header);
        return c.send(b);
    }

    private static String sid(HttpResponse<String> opened) throws Exception {
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        return JSON.readTree(opened.body().substring(1)).get("sid").asText();
    }

    /** Joins {@code /secure} over polling with {@code token}; returns what the server answered. */
    private static String connectSecure(SuiteClient c, String sid, String token) throws Exception {
        String poll = OPEN + "&sid=" + sid;
        assertThat(c.post(poll, "40/secure,{\"token\":\"" + token + "\"}").body()).isEqualTo("ok");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (String packet : c.get(poll).body().split("\u001e")) {
                if (packet.startsWith("40/secure,") || packet.startsWith("44/secure,")) {
                    return packet;
                }
            }
        }
        throw new AssertionError("no answer to CONNECT within 5 s");
    }

    private EngineSession session(String sid) {
        return engine().sessions().stream().filter(s -> s.id().equals(sid)).findFirst().orElseThrow();
    }

    private static String junk(int n) {
        return "j".repeat(n);
    }

    @Test
    void aHandshakeWithLargeHeadersKeepsOnlyTheConfiguredHeadersAndCookies() throws Exception {
        start(c -> c.withEngine(c.engine().withHandshakeCookies(Set.of("sid"))));
        SuiteClient a = client("127.0.0.1");
        // 12 KB of headers nobody asked for, 4 KB of them in a cookie.
        String sid = sid(open(a, Map.of("X-Junk-1", junk(4000), "X-Junk-2", junk(4000),
                "Cookie", "sid=s1; tracker=" + junk(4000), "Authorization", "Bearer abc",
                "Origin", "http://app.example")));

        EngineHandshake hs = session(sid).handshake();
        assertThat(hs.headers().names()).allMatch(n -> Set.of("authorization", "cookie", "origin", "user-agent",
                "x-forwarded-for").contains(n.toLowerCase()));
        assertThat(hs.headers().get("authorization")).isEqualTo("Bearer abc");
        assertThat(hs.headers().get("cookie")).isEqualTo("sid=s1");
        assertThat(hs.headers().get("origin")).isEqualTo("http://app.example");
        assertThat(hs.headers().contains("x-junk-1")).isFalse();
        assertThat(hs.size()).as("characters kept by the handshake").isLessThan(300);
        assertThat(engine().pendingBytes()).isEqualTo(hs.size());

        // What middlewares see is the same reduced set.
        CompletableFuture<SocketIoHandshake> seen = new CompletableFuture<>();
        server.socketIo().of("/secure").onConnection(s -> seen.complete(s.handshake()));
        assertThat(connectSecure(a, sid, "good")).startsWith("40/secure,{\"sid\":");
        SocketIoHandshake sh = seen.get(5, TimeUnit.SECONDS);
        assertThat(sh.cookies()).containsExactly(Map.entry("sid", "s1"));
        assertThat(sh.header("X-Junk-2")).isNull();
    }

    @Test
    void aHandshakeKeepingMoreThanTheCapIsRefusedWith431() throws Exception {
        start(c -> c.withEngine(c.engine().withMaxHandshakeBytes(1024)));
        SuiteClient a = client("127.0.0.1");
        HttpResponse<String> r = open(a, Map.of("Authorization", "Bearer " + junk(2000)));
        assertThat(r.statusCode()).isEqualTo(431);
        assertThat(r.body()).isEqualTo("{\"code\":3,\"message\":\"Handshake too large\"}");
        assertThat(engine().refusedHandshakes(HandshakeRefusal.TOO_LARGE)).isEqualTo(1);
        assertThat(engine().pendingSessions()).isZero();
        // Headers that are not kept do not count.
        sid(open(a, Map.of("X-Junk", junk(12_000), "Authorization", "Bearer abc")));
    }

    @Test
    void pendingSessionsFromOneAddressAreCappedWhileAnotherAddressConnects() throws Exception {
        start(c -> c.withEngine(c.engine().withPendingCaps(100, 3, 1_000_000)));
        SuiteClient flood = client("127.0.0.1");
        for (int i = 0; i < 3; i++) {
            sid(open(flood, Map.of()));
        }
        HttpResponse<String> refused = open(flood, Map.of());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body())
                .isEqualTo("{\"code\":3,\"message\":\"Too many pending sessions from this address\"}");
        // A WebSocket open (no sid) opens a session too: it counts and is refused the same way.
        assertThatThrownBy(() -> flood.ws(WS))
                .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(429));
        assertThat(engine().refusedHandshakes(HandshakeRefusal.ADDRESS_LIMIT)).isEqualTo(2);
        assertThat(engine().pendingSessions()).isEqualTo(3);

        // Another address is served: it opens, authenticates and is connected.
        SuiteClient other = client("127.0.0.2");
        String sid = sid(open(other, Map.of()));
        assertThat(engine().pendingSessions()).isEqualTo(4);
        assertThat(connectSecure(other, sid, "good")).startsWith("40/secure,{\"sid\":");
        assertThat(engine().pendingSessions()).as("the authenticated session is no longer pending").isEqualTo(3);
        // ... and over WebSocket.
        SuiteClient.Ws ws = other.ws(WS);
        toClose.add(ws::abort);
        assertThat((String) ws.next()).startsWith("0{\"sid\":");
        ws.send("40/secure,{\"token\":\"good\"}");
        assertThat((String) ws.nextSkippingPings()).startsWith("40/secure,{\"sid\":");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().pendingSessions() == 3);
    }

    @Test
    void theTotalCountAndTheTotalBytesAreCappedWith503() throws Exception {
        start(c -> c.withEngine(c.engine().withMaxHandshakeBytes(1024).withPendingCaps(4, 2, 2500)));
        SuiteClient a = client("127.0.0.1");
        SuiteClient b = client("127.0.0.2");
        SuiteClient c = client("127.0.0.3");
        sid(open(a, Map.of()));
        sid(open(a, Map.of()));
        sid(open(b, Map.of()));
        sid(open(b, Map.of()));
        HttpResponse<String> full = open(c, Map.of());
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(full.body()).isEqualTo("{\"code\":3,\"message\":\"Too many pending sessions\"}");
        assertThat(engine().pendingSessions()).isEqualTo(4);

        // Bytes: two handshakes of ~1000 kept characters fill 2500; the next address is refused.
        start(cfg -> cfg.withEngine(cfg.engine().withMaxHandshakeBytes(1024).withPendingCaps(10, 10, 2500)));
        a = client("127.0.0.1");
        b = client("127.0.0.2");
        Map<String, String> heavy = Map.of("Authorization", "Bearer " + junk(900));
        sid(open(a, heavy));
        sid(open(a, heavy));
        assertThat(open(b, heavy).statusCode()).isEqualTo(503);
        assertThat(engine().pendingBytes()).isBetween(1800L, 2500L);
        assertThat(engine().refusedHandshakes(HandshakeRefusal.SERVER_LIMIT)).isEqualTo(1);
        sid(open(b, Map.of()));
    }

    @Test
    void everyWayOutOfThePendingStateGivesTheCountBack() throws Exception {
        start(c -> c.withEngine(c.engine().withPendingCaps(10, 1, 1_000_000))
                .withConnectTimeout(Duration.ofMillis(700)));
        SuiteClient a = client("127.0.0.1");

        // Connect timeout.
        long t0 = System.nanoTime();
        sid(open(a, Map.of()));
        assertThat(open(a, Map.of()).statusCode()).as("the cap of 1 per address is taken").isEqualTo(429);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().pendingSessions() == 0);
        assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(600));

        // A refused CONNECT leaves the session pending; a successful one releases it.
        String sid = sid(open(a, Map.of()));
        assertThat(connectSecure(a, sid, "bad")).startsWith("44/secure,");
        assertThat(engine().pendingSessions()).isEqualTo(1);
        assertThat(connectSecure(a, sid, "good")).startsWith("40/secure,{\"sid\":");
        assertThat(engine().pendingSessions()).isZero();
        assertThat(session(sid).isPending()).isFalse();

        // The client closing its session.
        sid = sid(open(a, Map.of()));
        assertThat(a.post(OPEN + "&sid=" + sid, "1").body()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().pendingSessions() == 0);

        // The transport closing (a WebSocket opened without sid, then dropped).
        SuiteClient.Ws ws = a.ws(WS);
        assertThat((String) ws.next()).startsWith("0{\"sid\":");
        assertThat(engine().pendingSessions()).isEqualTo(1);
        ws.abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().pendingSessions() == 0);

        // The server closing it.
        sid = sid(open(a, Map.of()));
        session(sid).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().pendingSessions() == 0);

        // And the address's share is whole again.
        sid(open(a, Map.of()));
        assertThat(engine().refusedHandshakes(HandshakeRefusal.ADDRESS_LIMIT)).isEqualTo(1);
    }
}
