package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API over real sockets: publishing, the inbox, and every error answer. */
class NotificationApiEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.maxHttpBodyBytes(64 * 1024)
            .maxNotificationBytes(16 * 1024));
    private static Api api;

    @BeforeAll
    static void useTheNodesApi() {
        api = node.server().api;
    }

    private static String token(String user) {
        return node.server().tokens.forUser(user);
    }

    @Test
    void publishAnswers201WithTheIdsOnlyOnceStored() {
        Api.Reply r = api.publish("{\"to\":{\"users\":[\"u1\",\"u2\"]},\"notification\":{\"type\":\"promo\",\"message\":\"50% off\"}}");
        assertThat(r.status()).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(body.get("ids")).hasSize(2);
        assertThat(body.get("notifications").get(0).get("stream").asText()).isEqualTo("user:u1");
        assertThat(body.get("notifications").get(1).get("seq").asLong()).isEqualTo(1);

        JsonNode list = api.asUser("GET", "/api/v1/me/notifications", token("u2"), null).json();
        assertThat(list.get("notifications").get(0).get("id").asText()).isEqualTo(body.get("ids").get(1).asText());
        assertThat(list.get("notifications").get(0).get("message").asText()).isEqualTo("50% off");
        assertThat(list.get("notifications").get(0).get("read_at").isNull()).isTrue();
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyStoresOneNotification() {
        String body = "{\"to\":{\"user\":\"idem\"},\"notification\":{\"type\":\"order_created\",\"order_id\":1}}";
        Api.Reply first = api.publish(body, "order-1-created");
        Api.Reply retry = api.publish(body, "order-1-created");
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().get("ids")).isEqualTo(first.json().get("ids"));
        assertThat(retry.json().get("replayed").asBoolean()).isTrue();
        assertThat(api.asUser("GET", "/api/v1/me/notifications", token("idem"), null).json().get("notifications")).hasSize(1);

        Api.Reply conflict = api.publish(body.replace("\"order_id\":1", "\"order_id\":2"), "order-1-created");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("error").asText()).contains("order-1-created");
    }

    @Test
    void badPublishesAreRefusedNamingTheField() {
        assertBadField(api.publish("{\"to\":{\"user\":\"1\"},\"notification\":{\"message\":\"x\"}}"), "notification.type");
        assertBadField(api.publish("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\",\"seq\":1}}"), "notification.seq");
        assertBadField(api.publish("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"connected\"}}"), "notification.type");
        assertBadField(api.publish("{\"notification\":{\"type\":\"t\"}}"), "to");
        Api.Reply malformed = api.publish("{\"to\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).contains("not valid JSON");
        Api.Reply tooBig = api.publish("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\",\"pad\":\"" + "x".repeat(20_000) + "\"}}");
        assertThat(tooBig.status()).isEqualTo(400);
        Api.Reply bodyTooBig = api.publish("{\"pad\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(bodyTooBig.status()).isEqualTo(413);
    }

    private static void assertBadField(Api.Reply r, String field) {
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("error").asText()).startsWith(field);
    }

    @Test
    void apiKeysAndUserTokensAreNotInterchangeable() {
        String body = "{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"}}";
        assertThat(api.send("POST", "/api/v1/notifications", body, Map.of()).status()).isEqualTo(401);
        assertThat(api.send("POST", "/api/v1/notifications", body, Map.of("Authorization", "Bearer wrong-key-0123456789")).status()).isEqualTo(401);
        assertThat(api.send("POST", "/api/v1/notifications", body, Map.of("Authorization", "Bearer " + token("1"))).status()).isEqualTo(401);
        assertThat(api.asUser("GET", "/api/v1/me/notifications", TestServer.API_KEY, null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/me/notifications").status()).isEqualTo(401);
    }

    @Test
    void theInboxPagesWithACursorAndFilters() {
        for (int i = 1; i <= 7; i++) {
            api.notifyUser("pager", "{\"type\":\"" + (i % 2 == 0 ? "order_created" : "general_announcement") + "\",\"i\":" + i + "}");
        }
        String t = token("pager");
        List<Integer> seen = new ArrayList<>();
        String cursor = "";
        for (int page = 0; page < 10; page++) {
            JsonNode body = api.asUser("GET", "/api/v1/me/notifications?limit=3" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), t, null).json();
            body.get("notifications").forEach(n -> seen.add(n.get("i").asInt()));
            if (body.get("next_cursor").isNull()) {
                break;
            }
            cursor = body.get("next_cursor").asText();
        }
        assertThat(seen).containsExactly(7, 6, 5, 4, 3, 2, 1);

        JsonNode orders = api.asUser("GET", "/api/v1/me/notifications?type=order_*", t, null).json();
        assertThat(orders.get("notifications")).extracting(n -> n.get("i").asInt()).containsExactly(6, 4, 2);
        assertThat(api.asUser("GET", "/api/v1/me/notifications?limit=0", t, null).status()).isEqualTo(400);
        assertThat(api.asUser("GET", "/api/v1/me/notifications?cursor=abc", t, null).status()).isEqualTo(400);
        assertThat(api.asUser("GET", "/api/v1/me/notifications?unread=maybe", t, null).status()).isEqualTo(400);
    }

    @Test
    void readStateChangesAnswerTheNewCountAndReachTheUsersSockets() {
        String t = token("reader");
        String first = api.notifyUser("reader", "{\"type\":\"t\"}").get("ids").get(0).asText();
        String second = api.notifyUser("reader", "{\"type\":\"t\"}").get("ids").get(0).asText();
        api.notifyUser("reader", "{\"type\":\"t\"}");
        assertThat(api.asUser("GET", "/api/v1/me/notifications/unread-count", t, null).json().get("count").asInt()).isEqualTo(3);

        try (WsClient ws = node.server().connectAs("reader", "/ws/notifications")) {
            assertThat(ws.nextOfType("connected", Duration.ofSeconds(5)).get("unread_count").asInt()).isEqualTo(3);

            Api.Reply read = api.asUser("POST", "/api/v1/me/notifications/" + first + "/read", t, null);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("unread_count").asInt()).isEqualTo(2);
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isEqualTo(2);

            JsonNode unreadOnly = api.asUser("GET", "/api/v1/me/notifications?unread=true", t, null).json();
            assertThat(unreadOnly.get("notifications")).hasSize(2);

            assertThat(api.asUser("DELETE", "/api/v1/me/notifications/" + second, t, null).json().get("unread_count").asInt()).isEqualTo(1);
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isEqualTo(1);

            assertThat(api.asUser("POST", "/api/v1/me/notifications/read-all", t, null).json().get("unread_count").asInt()).isZero();
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("count").asInt()).isZero();
        }
    }

    @Test
    void anotherUsersNotificationIsNotFound() {
        String id = api.notifyUser("owner", "{\"type\":\"t\"}").get("ids").get(0).asText();
        String intruder = token("intruder");
        assertThat(api.asUser("POST", "/api/v1/me/notifications/" + id + "/read", intruder, null).status()).isEqualTo(404);
        assertThat(api.asUser("DELETE", "/api/v1/me/notifications/" + id, intruder, null).status()).isEqualTo(404);
        assertThat(api.asUser("GET", "/api/v1/me/notifications/unread-count", token("owner"), null).json().get("count").asInt()).isEqualTo(1);
    }

    @Test
    void aBroadcastReachesEveryKnownUser() {
        try (WsClient a = node.server().connectAs("bc-a", "/ws/notifications");
             WsClient b = node.server().connectAs("bc-b", "/ws/notifications")) {
            a.nextOfType("connected", Duration.ofSeconds(5));
            b.nextOfType("connected", Duration.ofSeconds(5));
            assertThat(api.publish("{\"to\":{\"all\":true},\"notification\":{\"type\":\"maintenance\",\"at\":\"22:00\"}}").status()).isEqualTo(201);
            assertThat(a.nextOfType("maintenance", Duration.ofSeconds(5)).get("at").asText()).isEqualTo("22:00");
            assertThat(b.nextOfType("maintenance", Duration.ofSeconds(5)).get("at").asText()).isEqualTo("22:00");
        }
    }

    @Test
    void operatorsEndpointsAnswer() {
        assertThat(api.get("/healthz").json().get("status").asText()).isEqualTo("ok");
        JsonNode ready = api.get("/readyz").json();
        assertThat(ready.get("ready").asBoolean()).isTrue();
        String metrics = api.get("/metrics").body();
        assertThat(metrics).contains("herald_connections").contains("herald_publishes_total").contains("herald_chat_queued")
                .contains("herald_chat_messages_stored_total").contains("herald_chat_batch_latency_seconds_bucket{le=")
                .contains("herald_delivery_latency_seconds").contains("herald_store_latency_seconds")
                .contains("herald_delivery_overflows_total 0.0").contains("herald_delivery_overflow_resyncs_total 0.0");
        JsonNode openApi = api.get("/api/v1/openapi.json").json();
        assertThat(openApi.get("openapi").asText()).startsWith("3.");
        assertThat(openApi.get("paths").has("/api/v1/notifications")).isTrue();
        assertThat(api.get("/nope").status()).isEqualTo(404);
        Api.Reply wrongMethod = api.send("PUT", "/api/v1/notifications", "{}", Map.of());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.headers().get("allow")).containsExactly("POST");
    }
}
