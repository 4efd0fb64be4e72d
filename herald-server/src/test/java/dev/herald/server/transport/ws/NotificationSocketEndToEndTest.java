package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawUpgrade;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Stories 1, 2 and 5 as a client sees them, and every refusal, over real sockets. */
class NotificationSocketEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    @Test
    void customerAppReceivesItsOrderNotificationWithTheTypeAtTopLevel() {
        String token = node.server().tokens.forUser("1001");
        try (WsClient ws = WsClient.connect(node.server().wsUrl("/ws/notifications/?type=user&id=1001"),
                Map.of("Cookie", "access_token=" + token))) {
            JsonNode connected = ws.next();
            assertThat(connected.get("type").asText()).isEqualTo("connected");
            assertThat(connected.get("user_id").asText()).isEqualTo("1001");
            assertThat(connected.get("seq").asLong()).isZero();
            assertThat(connected.get("unread_count").asLong()).isZero();

            JsonNode published = node.server().api.notifyUser("1001",
                    "{\"type\":\"order_created\",\"message\":\"Order #1001 created\",\"order_id\":1001}");

            JsonNode frame = ws.next();
            assertThat(frame.get("type").asText()).isEqualTo("order_created");
            assertThat(frame.get("message").asText()).isEqualTo("Order #1001 created");
            assertThat(frame.get("order_id").asInt()).isEqualTo(1001);
            assertThat(frame.get("id").asText()).isEqualTo(published.get("ids").get(0).asText());
            assertThat(frame.get("seq").asLong()).isEqualTo(1);
            assertThat(Instant.parse(frame.get("created_at").asText())).isBeforeOrEqualTo(Instant.now());
            JsonNode unread = ws.next();
            assertThat(unread.toString()).isEqualTo("{\"type\":\"unread_count\",\"count\":1,\"unseen_count\":1}");
        }
    }

    @Test
    void aTypesFilterSendsOnlyTheMatchingTypes() {
        try (WsClient ws = node.server().connectAs("1002", "/ws/notifications?types=order_*,payment_status_changed")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            node.server().api.notifyUser("1002", "{\"type\":\"general_announcement\",\"message\":\"hello\"}");
            node.server().api.notifyUser("1002", "{\"type\":\"payment_status_changed\",\"status\":\"paid\"}");
            node.server().api.notifyUser("1002", "{\"type\":\"order_completed\"}");

            List<String> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 20 && !seen.contains("order_completed"); i++) {
                seen.add(ws.next(Duration.ofSeconds(5)).get("type").asText());
            }
            assertThat(seen).doesNotContain("general_announcement")
                    .containsSubsequence("payment_status_changed", "order_completed");
            // The filtered announcement still counts as unread, and the count says so.
            assertThat(seen).contains("unread_count");
        }
    }

    @Test
    void everyStaffMemberOfABranchReceivesTheBranchsNotifications() throws Exception {
        String staffA = node.server().tokens.token("staff-a", List.of("branch:7"), Duration.ofHours(1));
        String staffB = node.server().tokens.token("staff-b", List.of("branch:7", "branch:8"), Duration.ofHours(1));
        try (WsClient a = WsClient.connect(node.server().wsUrl("/ws/notifications/?type=branch&id=7&access_token=" + staffA), null);
             WsClient b = WsClient.connect(node.server().wsUrl("/ws/notifications/?type=branch&id=7"),
                     Map.of("Authorization", "Bearer " + staffB))) {
            assertThat(a.next().get("stream").asText()).isEqualTo("branch:7");
            assertThat(b.next().get("stream").asText()).isEqualTo("branch:7");

            var r = node.server().api.publish("{\"to\":{\"topic\":\"branch:7\"},\"notification\":{\"type\":\"order_created\",\"order_id\":5}}");
            assertThat(r.status()).isEqualTo(201);

            for (WsClient ws : List.of(a, b)) {
                JsonNode frame = ws.next(Duration.ofSeconds(5));
                assertThat(frame.get("type").asText()).isEqualTo("order_created");
                assertThat(frame.get("order_id").asInt()).isEqualTo(5);
                assertThat(frame.get("seq").asLong()).isEqualTo(1);
            }
            // A topic has no read state: no unread_count follows its notifications.
            assertThat(a.poll(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void aNotificationReachesEverySocketOfTheUser() {
        try (WsClient tab1 = node.server().connectAs("1003", "/ws/notifications");
             WsClient tab2 = node.server().connectAs("1003", "/ws/notifications")) {
            tab1.nextOfType("connected", Duration.ofSeconds(5));
            tab2.nextOfType("connected", Duration.ofSeconds(5));
            node.server().api.notifyUser("1003", "{\"type\":\"booking_confirmed\",\"booking_id\":9}");
            assertThat(tab1.nextOfType("booking_confirmed", Duration.ofSeconds(5)).get("booking_id").asInt()).isEqualTo(9);
            assertThat(tab2.nextOfType("booking_confirmed", Duration.ofSeconds(5)).get("booking_id").asInt()).isEqualTo(9);
        }
    }

    @Test
    void refusalsAnswerWithTheirStatusAndAReason() {
        int port = node.server().port();
        String valid = node.server().tokens.forUser("77");
        String expired = TestTokens.sign(TestServer.SECRET, "77", List.of(), Instant.now().minusSeconds(60));
        String forged = TestTokens.sign("another-secret-another-secret-another-secret", "77", List.of(),
                Instant.now().plusSeconds(600));

        assertRefused(RawUpgrade.request(port, "/ws/notifications", Map.of()), 401, "token");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?access_token=" + expired, Map.of()), 401, "expired");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?access_token=" + forged, Map.of()), 401, "");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?access_token=not.a.jwt", Map.of()), 401, "");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?type=user&id=78&access_token=" + valid, Map.of()), 403, "78");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?type=branch&id=7&access_token=" + valid, Map.of()), 403, "branch:7");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?since=-4&access_token=" + valid, Map.of()), 400, "since");
        assertRefused(RawUpgrade.request(port, "/ws/notifications?types=a*b&access_token=" + valid, Map.of()), 400, "types");
        assertThat(RawUpgrade.request(port, "/ws/notifications?access_token=" + valid, Map.of()).status()).isEqualTo(101);

        RawUpgrade.Answer noKey = RawUpgrade.raw(port, "GET /ws/notifications?access_token=" + valid + " HTTP/1.1\r\n"
                + "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertRefused(noKey, 400, "Sec-WebSocket-Key");

        var plainGet = node.server().api.get("/ws/notifications");
        assertThat(plainGet.status()).isEqualTo(426);
        assertThat(plainGet.json().get("error").asText()).contains("upgrade");
    }

    private static void assertRefused(RawUpgrade.Answer answer, int status, String reasonContains) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body()).startsWith("{\"error\":");
        assertThat(answer.body().toLowerCase()).contains(reasonContains.toLowerCase());
    }

    @Test
    void malformedAndUnknownFramesGetErrorFramesAndTheConnectionStaysUsable() {
        try (WsClient ws = node.server().connectAs("1004", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            ws.send("{not json");
            assertThat(ws.next().get("code").asText()).isEqualTo("malformed_json");
            ws.send("[1,2]");
            assertThat(ws.next().get("code").asText()).isEqualTo("invalid_frame");
            ws.send("{\"type\":\"dance\"}");
            JsonNode unknown = ws.next();
            assertThat(unknown.get("type").asText()).isEqualTo("error");
            assertThat(unknown.get("code").asText()).isEqualTo("unknown_type");
            ws.send("{\"type\":\"ping\",\"id\":3}");
            assertThat(ws.next().toString()).isEqualTo("{\"type\":\"pong\",\"id\":3}");
            node.server().api.notifyUser("1004", "{\"type\":\"still_delivered\"}");
            assertThat(ws.nextOfType("still_delivered", Duration.ofSeconds(5))).isNotNull();
        }
    }

    @Test
    void aClientThatKeepsFloodingGetsOneErrorASecondAndIsThenClosed() {
        try (WsClient ws = node.server().connectAs("1009", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            // The server may close between two sends: the flood ends there.
            for (int i = 0; i < 300 && !ws.isClosed() && ws.trySend("{\"type\":\"ping\",\"id\":" + i + "}"); i++) {
            }
            assertThat(ws.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(4029);
            List<JsonNode> frames = ws.drain();
            assertThat(frames).filteredOn(f -> f.path("code").asText().equals("rate_limited")).hasSizeBetween(1, 3);
            assertThat(frames).filteredOn(f -> f.path("type").asText().equals("pong")).hasSizeGreaterThanOrEqualTo(40);
        }
    }

    @Test
    void theClientFrameRateIsConfigurable() {
        try (TestServer strict = TestServer.start(b -> b.clientFrameRate(1).clientFrameBurst(2));
             WsClient ws = strict.connectAs("1010", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            for (int i = 0; i < 3; i++) {
                ws.send("{\"type\":\"ping\",\"id\":" + i + "}");
            }
            assertThat(ws.next().get("type").asText()).isEqualTo("pong");
            assertThat(ws.next().get("type").asText()).isEqualTo("pong");
            JsonNode refused = ws.next();
            assertThat(refused.get("code").asText()).isEqualTo("rate_limited");
            assertThat(refused.get("message").asText()).contains("at most 1 per second");
            // The dropped frame is counted where the edge's other refusals are.
            assertThat(strict.api.get("/metrics").body()).containsPattern(
                    "herald_edge_refused_total\\{[^}]*reason=\"client_rate\"[^}]*\\} [1-9]");
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWithMessageTooBig() {
        try (WsClient ws = node.server().connectAs("1005", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            ws.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
        }
    }

    @Test
    void aMessageSentInFragmentsIsJoinedBeforeItIsRead() {
        try (WsClient ws = node.server().connectAs("1011", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            ws.sendFragments("{\"type\":", "\"ping\",", "\"id\":1}");
            assertThat(ws.next().toString()).isEqualTo("{\"type\":\"pong\",\"id\":1}");
            ws.send("{\"type\":\"ping\",\"id\":2}");
            assertThat(ws.next().toString()).isEqualTo("{\"type\":\"pong\",\"id\":2}");
            ws.sendFragments("{\"type\":\"ping\"", ",\"id\":3}");
            assertThat(ws.next().toString()).isEqualTo("{\"type\":\"pong\",\"id\":3}");
        }
    }

    @Test
    void fragmentsAddingUpToMoreThanTheSizeLimitCloseWithMessageTooBig() {
        try (WsClient ws = node.server().connectAs("1012", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            String half = "x".repeat(40 * 1024);
            ws.sendFragments("{\"type\":\"ping\",\"pad\":\"" + half, half + "\"}");
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
        }
    }

    @Test
    void anExpiringTokenRefreshedInTimeKeepsTheConnectionAndOneNotRefreshedIsClosed() throws Exception {
        String shortLived = node.server().tokens.token("1006", List.of(), Duration.ofSeconds(2));
        try (WsClient refreshed = WsClient.connect(node.server().wsUrl("/ws/notifications?access_token=" + shortLived), null);
             WsClient lapsed = WsClient.connect(node.server().wsUrl("/ws/notifications?access_token=" + shortLived), null)) {
            refreshed.nextOfType("connected", Duration.ofSeconds(5));
            lapsed.nextOfType("connected", Duration.ofSeconds(5));
            refreshed.send("{\"type\":\"refresh\",\"token\":\"" + node.server().tokens.forUser("1006") + "\"}");
            assertThat(refreshed.nextOfType("token_refreshed", Duration.ofSeconds(5)).get("expires_at").asText()).isNotEmpty();

            WsClient.Closed closed = lapsed.awaitClose(Duration.ofSeconds(8));
            assertThat(closed.code()).isEqualTo(4001);
            assertThat(refreshed.isClosed()).isFalse();
            node.server().api.notifyUser("1006", "{\"type\":\"after_expiry\"}");
            assertThat(refreshed.nextOfType("after_expiry", Duration.ofSeconds(5))).isNotNull();
        }
    }

    @Test
    void aRefreshWithAnotherUsersTokenIsRefused() {
        try (WsClient ws = node.server().connectAs("1007", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            ws.send("{\"type\":\"refresh\",\"token\":\"" + node.server().tokens.forUser("9999") + "\"}");
            assertThat(ws.nextOfType("error", Duration.ofSeconds(5)).get("code").asText()).isEqualTo("token_user_mismatch");
            ws.send("{\"type\":\"refresh\",\"token\":\"garbage\"}");
            assertThat(ws.nextOfType("error", Duration.ofSeconds(5)).get("code").asText()).isEqualTo("invalid_token");
        }
    }

    @Test
    void markingReadOverTheSocketPushesTheNewUnreadCount() {
        try (WsClient ws = node.server().connectAs("1008", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            String id = node.server().api.notifyUser("1008", "{\"type\":\"t\"}").get("ids").get(0).asText();
            node.server().api.notifyUser("1008", "{\"type\":\"t\"}");
            ws.nextOfType("t", Duration.ofSeconds(5));
            ws.nextOfType("t", Duration.ofSeconds(5));
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isEqualTo(2);

            ws.send("{\"type\":\"mark_read\",\"id\":\"" + id + "\"}");
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isEqualTo(1);
            ws.send("{\"type\":\"mark_all_read\"}");
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isZero();
            ws.send("{\"type\":\"mark_read\",\"id\":\"no-such-id\"}");
            assertThat(ws.nextOfType("error", Duration.ofSeconds(5)).get("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void shuttingDownTellsClientsToReconnect() {
        try (TestServer own = TestServer.start(); WsClient ws = own.connectAs("5", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            own.server().close();
            assertThat(ws.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1001);
        }
    }
}
