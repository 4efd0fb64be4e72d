package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Publishes with deliver_at over real sockets: kept, released on time, once; cancelled; refused. */
class ScheduledPublishEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    private static Api api() {
        return node.server().api;
    }

    private static String in(Duration d) {
        return Instant.now().plus(d).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static Api.Reply schedule(String body, String key) {
        Map<String, String> headers = key == null ? Map.of("Authorization", "Bearer " + TestServer.API_KEY)
                : Map.of("Authorization", "Bearer " + TestServer.API_KEY, "Idempotency-Key", key);
        return api().send("POST", "/api/v1/notifications", body, headers);
    }

    @Test
    void aScheduledPublishIsStoredAndDeliveredWhenDueAndARetryStoresItOnce() {
        String body = "{\"to\":{\"user\":\"sam\"},\"deliver_at\":\"" + in(Duration.ofMillis(1500))
                + "\",\"notification\":{\"type\":\"reminder\",\"message\":\"Your table is ready\"}}";
        try (WsClient ws = node.server().connectAs("sam", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            Api.Reply scheduled = schedule(body, "reminder-1");
            assertThat(scheduled.status()).as(scheduled.body()).isEqualTo(202);
            assertThat(scheduled.json().get("scheduled").asBoolean()).isTrue();
            assertThat(scheduled.json().get("idempotency_key").asText()).isEqualTo("reminder-1");
            assertThat(schedule(body, "reminder-1").json().get("replayed").asBoolean()).isTrue();
            assertThat(schedule(body.replace("ready", "late"), "reminder-1").status()).isEqualTo(409);
            assertThat(api().asUser("GET", "/api/v1/me/notifications", node.server().tokens.forUser("sam"), null).json()
                    .get("notifications")).as("nothing before it is due").isEmpty();

            JsonNode delivered = ws.nextOfType("reminder", Duration.ofSeconds(10));
            assertThat(delivered.get("message").asText()).isEqualTo("Your table is ready");
            assertThat(delivered.get("seq").asLong()).isEqualTo(1);
            assertThat(Instant.parse(delivered.get("created_at").asText()))
                    .isAfterOrEqualTo(Instant.parse(scheduled.json().get("deliver_at").asText()));
            for (JsonNode more = ws.poll(Duration.ofMillis(1500)); more != null; more = ws.poll(Duration.ofMillis(300))) {
                assertThat(more.has("seq")).as("released once: " + more).isFalse();
            }

            // Released, the key is free again: another body under it is a new schedule, not a conflict.
            Api.Reply again = schedule(body.replace("ready", "cleared").replaceAll("\"deliver_at\":\"[^\"]+\"",
                    "\"deliver_at\":\"" + in(Duration.ofMillis(1000)) + "\""), "reminder-1");
            assertThat(again.status()).as(again.body()).isEqualTo(202);
            assertThat(again.json().get("replayed").asBoolean()).isFalse();
            JsonNode second = ws.nextOfType("reminder", Duration.ofSeconds(10));
            assertThat(second.get("message").asText()).isEqualTo("Your table is cleared");
            assertThat(second.get("seq").asLong()).isEqualTo(2);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aScheduledPublishCanBeCancelledByItsKeyUntilItIsDue() {
        Api.Reply scheduled = schedule("{\"to\":{\"user\":\"tia\"},\"deliver_at\":\"" + in(Duration.ofSeconds(2))
                + "\",\"notification\":{\"type\":\"reminder\"}}", null);
        String key = scheduled.json().get("idempotency_key").asText();
        assertThat(key).startsWith("sched-");
        Api.Reply cancel = api().send("DELETE", "/api/v1/notifications/scheduled/" + key, null,
                Map.of("Authorization", "Bearer " + TestServer.API_KEY));
        assertThat(cancel.status()).isEqualTo(200);
        assertThat(api().send("DELETE", "/api/v1/notifications/scheduled/" + key, null,
                Map.of("Authorization", "Bearer " + TestServer.API_KEY)).status()).isEqualTo(404);
        org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertThat(api().asUser("GET", "/api/v1/me/notifications", node.server().tokens.forUser("tia"), null).json()
                .get("notifications")).isEmpty();
        assertThat(api().asUser("DELETE", "/api/v1/notifications/scheduled/" + key, node.server().tokens.forUser("tia"), null)
                .status()).as("users may not").isEqualTo(401);
    }

    @Test
    void badSchedulesAreRefusedNow() {
        assertBad(schedule("{\"to\":{\"user\":\"u\"},\"deliver_at\":\"2020-01-01T00:00:00Z\",\"notification\":{\"type\":\"t\"}}", null),
                "deliver_at");
        assertBad(schedule("{\"to\":{\"user\":\"u\"},\"deliver_at\":\"" + in(Duration.ofDays(400))
                + "\",\"notification\":{\"type\":\"t\"}}", null), "deliver_at");
        assertBad(schedule("{\"to\":{\"user\":\"u\"},\"deliver_at\":12,\"notification\":{\"type\":\"t\"}}", null), "deliver_at");
        assertBad(schedule("{\"to\":{\"user\":\"u\"},\"deliver_at\":\"" + in(Duration.ofHours(1))
                + "\",\"notification\":{\"type\":\"connected\"}}", null), "notification.type");
        assertBad(schedule("{\"to\":{\"user\":\"u\"},\"deliver_at\":\"" + in(Duration.ofHours(2)) + "\",\"expires_at\":\""
                + in(Duration.ofHours(1)) + "\",\"notification\":{\"type\":\"t\"}}", null), "expires_at");
    }

    private static void assertBad(Api.Reply r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo(field);
    }
}
