package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.PublishBatch;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/v1/notifications/batch over real sockets: all or nothing, per-item idempotency, errors. */
class BatchPublishEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.maxHttpBodyBytes(256 * 1024));
    private static Api api;

    @BeforeAll
    static void useTheNodesApi() {
        api = node.server().api;
    }

    private static Api.Reply batch(String body) {
        return api.send("POST", "/api/v1/notifications/batch", body, Map.of("Authorization", "Bearer " + TestServer.API_KEY));
    }

    private static String item(String to, String notification, String key) {
        return "{\"to\":" + to + ",\"notification\":" + notification
                + (key == null ? "" : ",\"idempotency_key\":\"" + key + "\"") + "}";
    }

    private static int inboxSize(String user) {
        return api.asUser("GET", "/api/v1/me/notifications", node.server().tokens.forUser(user), null)
                .json().get("notifications").size();
    }

    @Test
    void aBatchStoresEveryPublishAndAnswersOneResultPerPublishInOrder() {
        try (WsClient alice = node.server().connectAs("b-alice", "/ws/notifications")) {
            assertThat(alice.nextOfType("connected", Duration.ofSeconds(5))).isNotNull();
            Api.Reply r = batch("{\"publishes\":["
                    + item("{\"user\":\"b-alice\"}", "{\"type\":\"first\",\"n\":1}", null) + ","
                    + item("{\"users\":[\"b-bob\",\"b-carol\"]}", "{\"type\":\"second\"}", null) + ","
                    + item("{\"user\":\"b-alice\"}", "{\"type\":\"third\",\"n\":3}", null) + "]}");

            assertThat(r.status()).isEqualTo(201);
            JsonNode body = r.json();
            assertThat(body.get("count").asInt()).isEqualTo(4);
            assertThat(body.get("results")).hasSize(3);
            assertThat(body.get("results").get(0).get("notifications").get(0).get("seq").asLong()).isEqualTo(1);
            assertThat(body.get("results").get(1).get("ids")).hasSize(2);
            assertThat(body.get("results").get(2).get("notifications").get(0).get("seq").asLong()).isEqualTo(2);

            JsonNode first = alice.nextOfType("first", Duration.ofSeconds(5));
            JsonNode third = alice.nextOfType("third", Duration.ofSeconds(5));
            assertThat(first.get("seq").asLong()).isEqualTo(1);
            assertThat(third.get("seq").asLong()).isEqualTo(2);
            assertThat(third.get("id").asText()).isEqualTo(body.get("results").get(2).get("ids").get(0).asText());
            assertThat(inboxSize("b-carol")).isEqualTo(1);
        }
    }

    @Test
    void aRetriedBatchReplaysEveryKeyedPublish() {
        String body = "{\"publishes\":["
                + item("{\"user\":\"r-1\"}", "{\"type\":\"order_created\",\"order\":1}", "order-1") + ","
                + item("{\"user\":\"r-2\"}", "{\"type\":\"order_created\",\"order\":2}", "order-2") + "]}";
        Api.Reply first = batch(body);
        Api.Reply retry = batch(body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        for (int i = 0; i < 2; i++) {
            assertThat(retry.json().get("results").get(i).get("replayed").asBoolean()).isTrue();
            assertThat(retry.json().get("results").get(i).get("ids")).isEqualTo(first.json().get("results").get(i).get("ids"));
        }
        assertThat(inboxSize("r-1")).isEqualTo(1);
        assertThat(inboxSize("r-2")).isEqualTo(1);
    }

    @Test
    void aKeyReusedWithAnotherBodyRefusesTheWholeBatchAndStoresNothing() {
        assertThat(batch("{\"publishes\":[" + item("{\"user\":\"c-1\"}", "{\"type\":\"t\",\"v\":1}", "c-key") + "]}")
                .status()).isEqualTo(201);

        Api.Reply conflict = batch("{\"publishes\":["
                + item("{\"user\":\"c-2\"}", "{\"type\":\"t\"}", null) + ","
                + item("{\"user\":\"c-1\"}", "{\"type\":\"t\",\"v\":2}", "c-key") + ","
                + item("{\"user\":\"c-3\"}", "{\"type\":\"t\"}", "c-other") + "]}");

        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("error").asText()).contains("c-key");
        assertThat(inboxSize("c-2")).isZero();
        assertThat(inboxSize("c-3")).isZero();
        assertThat(inboxSize("c-1")).isEqualTo(1);
        // The refused batch's other keys were not used up: "c-other" stores normally now.
        Api.Reply later = batch("{\"publishes\":[" + item("{\"user\":\"c-3\"}", "{\"type\":\"t\"}", "c-other") + "]}");
        assertThat(later.json().get("results").get(0).get("replayed").asBoolean()).isFalse();
        assertThat(inboxSize("c-3")).isEqualTo(1);
    }

    @Test
    void anInvalidPublishRefusesTheBatchNamingItsIndexAndStoresNothing() {
        Api.Reply r = batch("{\"publishes\":["
                + item("{\"user\":\"v-1\"}", "{\"type\":\"ok\"}", null) + ","
                + item("{\"user\":\"v-2\"}", "{\"message\":\"no type\"}", null) + "]}");
        assertBadField(r, "publishes[1].notification.type");
        assertThat(inboxSize("v-1")).isZero();

        assertBadField(batch("{\"publishes\":[" + item("{\"user\":\"bad id!\"}", "{\"type\":\"t\"}", null) + "]}"),
                "publishes[0].to.user");
        assertBadField(batch("{\"publishes\":[]}"), "publishes");
        assertBadField(batch("{\"publishes\":{}}"), "publishes");
        assertBadField(batch("{}"), "publishes");
        assertBadField(batch("[]"), "body");
        assertBadField(batch("{\"publishes\":[],\"extra\":1}"), "extra");
        assertBadField(batch("{\"publishes\":[1]}"), "publishes[0]");
        assertBadField(batch("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"priority\":5}]}"),
                "publishes[0].priority");
        assertBadField(batch("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"ttl\":0}]}"),
                "publishes[0].ttl");
        assertBadField(batch("{\"publishes\":[" + item("{\"user\":\"1\"}", "{\"type\":\"t\"}", "k") + ","
                + item("{\"user\":\"2\"}", "{\"type\":\"t\"}", "k") + "]}"), "publishes[1].idempotency_key");
        assertBadField(batch("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":7}]}"),
                "publishes[0].idempotency_key");

        StringJoiner tooMany = new StringJoiner(",", "{\"publishes\":[", "]}");
        for (int i = 0; i <= PublishBatch.MAX_BATCH; i++) {
            tooMany.add("{\"to\":{\"user\":\"m\"},\"notification\":{\"type\":\"t\"}}");
        }
        assertBadField(batch(tooMany.toString()), "publishes");
        assertThat(inboxSize("m")).isZero();

        Api.Reply malformed = batch("{\"publishes\":[");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).contains("not valid JSON");
        Api.Reply header = api.send("POST", "/api/v1/notifications/batch",
                "{\"publishes\":[" + item("{\"user\":\"h\"}", "{\"type\":\"t\"}", null) + "]}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY, "Idempotency-Key", "whole-batch"));
        assertThat(header.status()).isEqualTo(400);
        assertThat(header.json().get("error").asText()).contains("idempotency_key");
    }

    @Test
    void aBatchNeedsTheApiKey() {
        String body = "{\"publishes\":[" + item("{\"user\":\"k\"}", "{\"type\":\"t\"}", null) + "]}";
        assertThat(api.send("POST", "/api/v1/notifications/batch", body, Map.of()).status()).isEqualTo(401);
        assertThat(api.send("POST", "/api/v1/notifications/batch", body,
                Map.of("Authorization", "Bearer " + node.server().tokens.forUser("k"))).status()).isEqualTo(401);
        assertThat(inboxSize("k")).isZero();
    }

    private static void assertBadField(Api.Reply r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("error").asText()).startsWith(field);
    }
}
