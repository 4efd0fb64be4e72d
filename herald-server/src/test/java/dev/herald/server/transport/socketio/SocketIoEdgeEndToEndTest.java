package dev.herald.server.transport.socketio;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Socket.IO follows the node's edge rules: the cookie only from origins that may use it, the per-user cap. */
class SocketIoEdgeEndToEndTest {

    private static final String PACKETS = "\u001e"; // between the Engine.IO packets of a polling body

    /** Opens an Engine.IO polling session; its path, for the polls and posts that follow. */
    private static String openSession(Api api, Map<String, String> headers) {
        Api.Reply open = api.send("GET", "/socket.io/?EIO=4&transport=polling", null, headers);
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        return "/socket.io/?EIO=4&transport=polling&sid=" + open.body().replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
    }

    /** Posts {@code body} (packets joined by {@link #PACKETS}) to the session. */
    private static void post(Api api, String session, Map<String, String> headers, String body) {
        Map<String, String> post = new HashMap<>(headers);
        post.put("Content-Type", "text/plain;charset=UTF-8");
        assertThat(api.sendText("POST", session, body, post).status()).isEqualTo(200);
    }

    /** Opens an Engine.IO polling session, sends CONNECT to "/" with {@code auth}, and returns the answer packet. */
    private static String connect(TestServer server, Map<String, String> headers, String auth) {
        Api api = server.api;
        String session = openSession(api, headers);
        post(api, session, headers, auth == null ? "40" : "40" + auth);
        Api.Reply answer = api.send("GET", session, null, headers);
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

    /**
     * Over the socket's event rate, an event that asked for an ack still gets one, with
     * {@code rate_limited}: a client waiting for it (a chat send) must not be left without an
     * answer. Events without an ack are answered by one {@code error} event at most. Every drop is
     * counted on /metrics.
     */
    @Test
    void eventsOverTheRateAreAnsweredOnTheirAcksAndCounted() {
        try (TestServer server = TestServer.start(b -> b.clientFrameRate(1).clientFrameBurst(2))) {
            String token = server.tokens.forUser("flooder");
            Api api = server.api;
            String session = openSession(api, Map.of());
            post(api, session, Map.of(), "40{\"token\":\"" + token + "\"}");
            List<String> packets = new ArrayList<>();
            poll(api, session, packets, p -> p.startsWith("40"));

            // Ten events with acks 1-10 in one payload: the burst (2) admits two, the rest are dropped.
            post(api, session, Map.of(), IntStream.rangeClosed(1, 10).mapToObj(id -> "42" + id + "[\"register\"]")
                    .collect(Collectors.joining(PACKETS)));
            packets.clear();
            poll(api, session, packets, p -> acks(packets).size() >= 10);
            Map<Integer, String> answers = acks(packets);
            assertThat(answers).hasSize(10);
            long admitted = answers.values().stream().filter(a -> a.contains("\"ok\":true")).count();
            long refused = answers.values().stream().filter(a -> a.contains("\"code\":\"rate_limited\"")).count();
            assertThat(admitted).isEqualTo(2);
            assertThat(refused).isEqualTo(8);

            // Without acks: dropped with one error event at most, not one answer each. Event 11,
            // with an ack, comes last: its answer (either one) follows whatever the others got.
            post(api, session, Map.of(), String.join(PACKETS, Collections.nCopies(10, "42[\"register\"]"))
                    + PACKETS + "4211[\"register\"]");
            packets.clear();
            poll(api, session, packets, p -> p.startsWith("4311"));
            assertThat(packets).last().asString().startsWith("4311");
            assertThat(packets.stream().filter(p -> p.startsWith("42[\"error\"")).count()).isLessThanOrEqualTo(1);
            assertThat(packets.stream().filter(p -> p.startsWith("43")).count()).isEqualTo(1);

            String refusedLine = api.get("/metrics").body().lines()
                    .filter(l -> l.startsWith("herald_edge_refused_total{") && l.contains("reason=\"client_rate\""))
                    .findFirst().orElseThrow();
            assertThat(Double.parseDouble(refusedLine.substring(refusedLine.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(8 + 9); // at most two of the eleven admitted
        }
    }

    private static final Pattern ACK = Pattern.compile("^43(\\d+)(.*)$", Pattern.DOTALL);

    /** The ack packets among {@code packets}, by ack id. */
    private static Map<Integer, String> acks(List<String> packets) {
        Map<Integer, String> acks = new HashMap<>();
        for (String p : packets) {
            Matcher m = ACK.matcher(p);
            if (m.matches()) {
                acks.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return acks;
    }

    /**
     * Long-polls the session, collecting packets (answering pings), until {@code done} holds for a
     * packet or the collected ones, or five polls have passed.
     */
    private static void poll(Api api, String session, List<String> packets, java.util.function.Predicate<String> done) {
        for (int i = 0; i < 5; i++) {
            Api.Reply r = api.send("GET", session, null, Map.of());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (String p : r.body().split(PACKETS)) {
                if (p.equals("2")) {
                    post(api, session, Map.of(), "3");
                    continue;
                }
                packets.add(p);
                if (done.test(p)) {
                    return;
                }
            }
        }
    }
}
