package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.push.webpush.PushServicePeer;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Push through a real node to a real Web Push service peer on loopback (it decrypts every push and
 * checks its VAPID token): each policy, preferences and quiet hours, collapse, receipts, a dead
 * device, a provider's Retry-After, and the device API's refusals.
 */
class PushEndToEndTest {
    private static final Duration QUIET = Duration.ofMillis(1500);

    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.push(new dev.herald.server.config.PushOptions(
            true, "mailto:ops@herald.test", null, null, true, null, null, null,
            dev.herald.server.config.PushOptions.APNS, dev.herald.server.config.PushOptions.APNS_SANDBOX, null,
            dev.herald.server.config.PushOptions.FCM, null, null)));

    private PushServicePeer peer;

    @BeforeEach
    void startPeer() throws Exception {
        peer = new PushServicePeer("mailto:ops@herald.test");
    }

    @AfterEach
    void stopPeer() {
        peer.close();
    }

    private static Api api() {
        return node.server().api;
    }

    private static String token(String user) {
        return node.server().tokens.forUser(user);
    }

    private static Api.Reply asBackend(String method, String path, String body) {
        return api().send(method, path, body, Map.of("Authorization", "Bearer " + TestServer.API_KEY));
    }

    /** Registers one of the peer's endpoints as the user's browser; returns Herald's device id. */
    private String register(String user, String device) {
        Api.Reply r = api().asUser("POST", "/api/v1/me/devices", token(user),
                "{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson(device) + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("device").get("id").asText();
    }

    private List<PushServicePeer.Received> at(String device) {
        return peer.received().stream().filter(r -> r.path().equals("/push/" + device)).toList();
    }

    private PushServicePeer.Received awaitPush(String device) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !at(device).isEmpty());
        PushServicePeer.Received r = at(device).get(0);
        assertThat(r.problems()).isEmpty();
        return r;
    }

    private Api.Reply publish(String user, String push, String notification) {
        Api.Reply r = api().publish("{\"to\":{\"user\":\"" + user + "\"},\"push\":" + push + ",\"notification\":" + notification + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r;
    }

    @Test
    void aPushReachesEveryDeviceWithTheNotificationsTextsAndBadgeAndItsReceiptMarksItRead() throws Exception {
        String laptop = register("ana", "ana-laptop");
        register("ana", "ana-phone");
        String id = publish("ana", "true", "{\"type\":\"order_ready\",\"title\":\"Order 17\",\"body\":\"Table 4\",\"url\":\"/orders/17\"}")
                .json().get("notifications").get(0).get("id").asText();

        JsonNode payload = awaitPush("ana-laptop").payload();
        assertThat(awaitPush("ana-phone").payload().get("id").asText()).isEqualTo(id);
        assertThat(payload.get("id").asText()).isEqualTo(id);
        assertThat(payload.get("type").asText()).isEqualTo("order_ready");
        assertThat(payload.get("title").asText()).isEqualTo("Order 17");
        assertThat(payload.get("body").asText()).isEqualTo("Table 4");
        assertThat(payload.get("url").asText()).isEqualTo("/orders/17");
        assertThat(payload.get("badge").asLong()).isEqualTo(1);
        assertThat(at("ana-laptop").get(0).header("TTL")).isEqualTo("86400");
        assertThat(at("ana-laptop").get(0).header("Urgency")).isEqualTo("normal");

        String receipt = payload.get("receipt").asText();
        assertThat(api().send("POST", "/api/v1/push/opened", "{\"receipt\":\"" + receipt.substring(0, receipt.length() - 2)
                + "xx\"}", Map.of()).status()).as("an altered receipt").isEqualTo(403);
        assertThat(api().send("POST", "/api/v1/push/opened", "{}", Map.of()).status()).isEqualTo(400);
        assertThat(api().asUser("GET", "/api/v1/me/notifications/unread-count", token("ana"), null).json()
                .get("count").asLong()).isEqualTo(1);
        Api.Reply opened = api().send("POST", "/api/v1/push/opened", "{\"receipt\":\"" + receipt + "\"}", Map.of());
        assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        assertThat(api().asUser("GET", "/api/v1/me/notifications/unread-count", token("ana"), null).json()
                .get("count").asLong()).isZero();

        await().atMost(Duration.ofSeconds(5)).until(() -> asBackend("GET", "/api/v1/users/ana/devices/" + laptop + "/attempts", null)
                .json().get("attempts").size() == 1);
        JsonNode attempt = asBackend("GET", "/api/v1/users/ana/devices/" + laptop + "/attempts", null).json().get("attempts").get(0);
        assertThat(attempt.get("outcome").asText()).isEqualTo("sent");
        assertThat(attempt.get("status").asInt()).isEqualTo(201);
        assertThat(attempt.get("notification_id").asText()).isEqualTo(id);
    }

    @Test
    void aPushServiceThatNeverAnswersDoesNotHoldUpPublishingOrDelivery() throws Exception {
        register("nia", "nia-phone");
        peer.hold();
        publish("nia", "true", "{\"type\":\"stuck\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !at("nia-phone").isEmpty());
        // The push service now holds a push unanswered (and answers nothing more).
        try (WsClient ws = node.server().connectAs("oli", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            for (int i = 0; i < 30; i++) {
                publish("nia", "true", "{\"type\":\"stuck\"}");
                api().publish("{\"to\":{\"user\":\"oli\"},\"notification\":{\"type\":\"still_flowing\"}}");
            }
            for (int i = 0; i < 30; i++) {
                ws.nextOfType("still_flowing", Duration.ofSeconds(5));
            }
        }
        assertThat(api().asUser("GET", "/api/v1/me/notifications/unread-count", token("nia"), null).json().get("count").asLong())
                .as("every publish was stored and answered while its pushes hung").isEqualTo(31);
    }

    @Test
    void eachPublishOfABatchAsksForPushOnItsOwn() throws Exception {
        register("bea", "bea-phone");
        Api.Reply batch = api().publishBatch("{\"publishes\":[{\"to\":{\"user\":\"bea\"},\"push\":{\"title\":\"First\"},"
                + "\"notification\":{\"type\":\"a\"}},{\"to\":{\"user\":\"bea\"},\"notification\":{\"type\":\"b\"}},"
                + "{\"to\":{\"user\":\"bea\"},\"push\":{\"policy\":\"sometimes\"},\"notification\":{\"type\":\"c\"}}]}");
        assertThat(batch.status()).as("the bad policy refuses the whole batch").isEqualTo(400);
        assertThat(batch.json().get("field").asText()).isEqualTo("publishes[2].push.policy");
        batch = api().publishBatch("{\"publishes\":[{\"to\":{\"user\":\"bea\"},\"push\":{\"title\":\"First\"},"
                + "\"notification\":{\"type\":\"a\"}},{\"to\":{\"user\":\"bea\"},\"notification\":{\"type\":\"b\"}}]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(201);
        assertThat(awaitPush("bea-phone").payload().get("title").asText()).isEqualTo("First");
        Thread.sleep(QUIET.toMillis());
        assertThat(at("bea-phone")).as("the second publish did not ask").hasSize(1);
    }

    @Test
    void whenOfflineSkipsAUserWithALiveConnectionAndPushesOnceTheyAreGone() throws Exception {
        register("bo", "bo-phone");
        try (WsClient ws = node.server().connectAs("bo", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            publish("bo", "{\"policy\":\"when_offline\"}", "{\"type\":\"while_online\"}");
            ws.nextOfType("while_online", Duration.ofSeconds(5));
            Thread.sleep(QUIET.toMillis());
            assertThat(at("bo-phone")).as("online: no push").isEmpty();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> !asBackend("GET", "/api/v1/presence?users=bo", null).json()
                .findValue("online").asBoolean());
        publish("bo", "{\"policy\":\"when_offline\"}", "{\"type\":\"while_offline\"}");
        assertThat(awaitPush("bo-phone").payload().get("type").asText()).isEqualTo("while_offline");
        Thread.sleep(500);
        assertThat(at("bo-phone")).hasSize(1);
    }

    @Test
    void ifUnseenAfterPushesOnlyWhatTheUserDidNotSeeInTime() throws Exception {
        register("cy", "cy-phone");
        String seen = publish("cy", "{\"policy\":\"if_unseen_after\",\"delay\":1}", "{\"type\":\"seen_in_app\"}")
                .json().get("notifications").get(0).get("id").asText();
        publish("cy", "{\"policy\":\"if_unseen_after\",\"delay\":1}", "{\"type\":\"missed\"}");
        assertThat(api().asUser("POST", "/api/v1/me/notifications/" + seen + "/seen", token("cy"), null).status()).isEqualTo(200);
        long start = System.nanoTime();
        assertThat(awaitPush("cy-phone").payload().get("type").asText()).isEqualTo("missed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not before its delay").isGreaterThan(Duration.ofMillis(500));
        Thread.sleep(QUIET.toMillis());
        assertThat(at("cy-phone")).hasSize(1);
    }

    @Test
    void aNewerPushWithTheSameCollapseKeyReplacesOneNotYetSent() throws Exception {
        register("di", "di-phone");
        publish("di", "{\"policy\":\"if_unseen_after\",\"delay\":1,\"collapse_key\":\"score\"}", "{\"type\":\"score\",\"title\":\"1-0\"}");
        publish("di", "{\"policy\":\"if_unseen_after\",\"delay\":1,\"collapse_key\":\"score\"}", "{\"type\":\"score\",\"title\":\"2-0\"}");
        PushServicePeer.Received r = awaitPush("di-phone");
        assertThat(r.payload().get("title").asText()).isEqualTo("2-0");
        assertThat(r.payload().get("tag").asText()).isEqualTo("score");
        assertThat(r.header("Topic")).isEqualTo("score");
        Thread.sleep(QUIET.toMillis());
        assertThat(at("di-phone")).hasSize(1);
    }

    @Test
    void aUserWhoMutedPushOrIsInQuietHoursGetsTheNotificationButNoPushUnlessItIsCritical() throws Exception {
        register("ed", "ed-phone");
        register("fa", "fa-phone");
        assertThat(api().asUser("PUT", "/api/v1/me/preferences", token("ed"), "{\"channels\":{\"push\":false}}").status())
                .isEqualTo(200);
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        String quiet = "{\"quiet_hours\":{\"start\":\"" + now.minusHours(1).withSecond(0).withNano(0) + "\",\"end\":\""
                + now.plusHours(1).withSecond(0).withNano(0) + "\",\"time_zone\":\"UTC\"}}";
        assertThat(api().asUser("PUT", "/api/v1/me/preferences", token("fa"), quiet).status()).isEqualTo(200);
        assertThat(asBackend("PUT", "/api/v1/categories/security", "{\"critical\":true}").status()).isEqualTo(200);

        publish("ed", "true", "{\"type\":\"muted_push\"}");
        publish("fa", "true", "{\"type\":\"at_night\"}");
        Thread.sleep(QUIET.toMillis());
        assertThat(at("ed-phone")).isEmpty();
        assertThat(at("fa-phone")).isEmpty();
        assertThat(api().asUser("GET", "/api/v1/me/notifications", token("ed"), null).json().get("notifications"))
                .as("the notification itself is stored").hasSize(1);

        Api.Reply critical = api().publish("{\"to\":{\"user\":\"fa\"},\"category\":\"security\",\"push\":true,"
                + "\"notification\":{\"type\":\"new_login\"}}");
        assertThat(critical.status()).isEqualTo(201);
        assertThat(awaitPush("fa-phone").payload().get("type").asText()).isEqualTo("new_login");
        Thread.sleep(500);
        assertThat(at("fa-phone")).as("the quiet one waits for the morning").hasSize(1);
    }

    @Test
    void aUserWhoTurnsPushOffBeforeADelayedPushIsDueIsNotPushed() throws Exception {
        register("hal", "hal-phone");
        publish("hal", "{\"policy\":\"if_unseen_after\",\"delay\":1}", "{\"type\":\"later\"}");
        assertThat(api().asUser("PUT", "/api/v1/me/preferences", token("hal"), "{\"types\":{\"later\":{\"push\":false}}}")
                .status()).isEqualTo(200);
        Thread.sleep(1000 + QUIET.toMillis());
        assertThat(at("hal-phone")).isEmpty();
    }

    @Test
    void aCategoryDefaultPushesItsPublishesAndPushFalseOverridesIt() throws Exception {
        register("gil", "gil-phone");
        assertThat(asBackend("PUT", "/api/v1/categories/orders", "{\"push_policy\":\"always\"}").json()
                .get("category").get("push_policy").asText()).isEqualTo("always");
        api().publish("{\"to\":{\"user\":\"gil\"},\"category\":\"orders\",\"push\":false,\"notification\":{\"type\":\"quiet_order\"}}");
        api().publish("{\"to\":{\"user\":\"gil\"},\"category\":\"orders\",\"notification\":{\"type\":\"loud_order\"}}");
        assertThat(awaitPush("gil-phone").payload().get("type").asText()).isEqualTo("loud_order");
        Thread.sleep(QUIET.toMillis());
        assertThat(at("gil-phone")).hasSize(1);
    }

    @Test
    void aTypesTemplateShapesItsPushesAndOnlyABackendSetsIt() throws Exception {
        register("ira", "ira-phone");
        String template = "{\"title\":\"Table {{table}} is ready\",\"body\":\"Ask for {{host.name}}\",\"url\":\"/tables/{{table}}\"}";
        assertThat(api().asUser("PUT", "/api/v1/push/templates/table_ready", token("ira"), template).status()).isEqualTo(401);
        Api.Reply put = asBackend("PUT", "/api/v1/push/templates/table_ready", template);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(asBackend("PUT", "/api/v1/push/templates/table_ready", "{\"title\":\"{{oops\"}").json().get("field").asText())
                .isEqualTo("title");
        assertThat(asBackend("GET", "/api/v1/push/templates", null).json().get("templates").findValuesAsText("type"))
                .contains("table_ready");
        publish("ira", "true", "{\"type\":\"table_ready\",\"table\":4,\"host\":{\"name\":\"Sam\"}}");
        JsonNode payload = awaitPush("ira-phone").payload();
        assertThat(payload.get("title").asText()).isEqualTo("Table 4 is ready");
        assertThat(payload.get("body").asText()).isEqualTo("Ask for Sam");
        assertThat(payload.get("url").asText()).isEqualTo("/tables/4");
        assertThat(asBackend("DELETE", "/api/v1/push/templates/table_ready", null).status()).isEqualTo(200);
        assertThat(asBackend("DELETE", "/api/v1/push/templates/table_ready", null).status()).isEqualTo(404);
    }

    @Test
    void aDeviceThePushServiceCallsGoneIsRemovedAndItsHistorySaysWhy() {
        String id = register("hu", "hu-old-browser");
        peer.answerOnce(410, Map.of());
        publish("hu", "true", "{\"type\":\"t\"}");
        awaitPush("hu-old-browser");
        await().atMost(Duration.ofSeconds(5)).until(() -> api().asUser("GET", "/api/v1/me/devices", token("hu"), null).json()
                .get("devices").isEmpty());
        JsonNode attempts = asBackend("GET", "/api/v1/users/hu/devices/" + id + "/attempts", null).json().get("attempts");
        assertThat(attempts).singleElement().satisfies(a -> {
            assertThat(a.get("outcome").asText()).isEqualTo("gone");
            assertThat(a.get("status").asInt()).isEqualTo(410);
        });
    }

    @Test
    void aRefusalWithRetryAfterIsTriedAgainNoSoonerThanAsked() throws Exception {
        String id = register("ivy", "ivy-phone");
        peer.answerOnce(429, Map.of("Retry-After", "2"));
        publish("ivy", "true", "{\"type\":\"t\"}");
        awaitPush("ivy-phone");
        long first = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> at("ivy-phone").size() == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - first)).isGreaterThan(Duration.ofMillis(1500));
        assertThat(at("ivy-phone").get(1).payload().get("id").asText()).isEqualTo(at("ivy-phone").get(0).payload().get("id").asText());
        await().atMost(Duration.ofSeconds(5)).until(() -> asBackend("GET", "/api/v1/users/ivy/devices/" + id + "/attempts", null)
                .json().get("attempts").size() == 2);
        JsonNode attempts = asBackend("GET", "/api/v1/users/ivy/devices/" + id + "/attempts", null).json().get("attempts");
        assertThat(attempts.get(0).get("outcome").asText()).isEqualTo("sent");
        assertThat(attempts.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(attempts.get(1).get("outcome").asText()).isEqualTo("retry");
        assertThat(attempts.get(1).get("status").asInt()).isEqualTo(429);
    }

    @Test
    void aChatMessageToAMemberWhoIsOfflineIsPushedOnePerConversation() throws Exception {
        register("lu", "lu-phone");
        long conversation = asBackend("POST", "/api/v1/backend/conversations", "{\"kind\":\"direct\",\"members\":[\"lu\",\"max\"]}")
                .json().get("conversation").get("id").asLong();
        Api.Reply sent = api().asUser("POST", "/api/v1/conversations/" + conversation + "/messages", token("max"),
                "{\"content\":\"Are you coming tonight?\"}");
        assertThat(sent.status()).as(sent.body()).isIn(200, 201);
        PushServicePeer.Received r = awaitPush("lu-phone");
        assertThat(r.payload().get("type").asText()).isEqualTo("new_message");
        assertThat(r.payload().get("title").asText()).isEqualTo("New message from User max");
        assertThat(r.payload().get("body").asText()).isEqualTo("Are you coming tonight?");
        assertThat(r.payload().get("tag").asText()).isEqualTo("chat-" + conversation);
        assertThat(at("lu-phone")).hasSize(1);
    }

    @Test
    void theDeviceApiRefusesBadInputAndOtherUsersDevices() {
        String id = register("jo", "jo-phone");
        assertThat(api().send("POST", "/api/v1/me/devices", "{\"platform\":\"webpush\"}", Map.of()).status()).isEqualTo(401);
        Api.Reply apiKeyAsUser = api().send("POST", "/api/v1/me/devices", "{\"platform\":\"webpush\"}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY));
        assertThat(apiKeyAsUser.status()).isEqualTo(401);
        String[][] refused = {
                {"{\"platform\":\"carrier-pigeon\"}", "platform"}, {"{}", "platform"}, {"[]", "body"},
                {"{\"platform\":\"apns\",\"token\":\"" + "a".repeat(64) + "\",\"topic\":\"com.x\"}", "platform"},
                {"{\"platform\":\"webpush\",\"subscription\":{\"endpoint\":\"https://push.example/x\",\"keys\":{\"p256dh\":\"AAAA\",\"auth\":\"AAAA\"}}}",
                        "subscription.keys.p256dh"},
                {"{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson("x").replace("http://", "ftp://") + "}",
                        "subscription.endpoint"},
                {"{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson("x").replace(peer.origin(),
                        "https://169.254.169.254") + "}", "is not a push service"},
                {"{\"platform\":\"webpush\",\"subscription\":{},\"extra\":1}", "extra"}};
        for (String[] c : refused) {
            Api.Reply r = api().asUser("POST", "/api/v1/me/devices", token("jo"), c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().toString()).as(c[0]).contains(c[1]);
        }
        assertThat(api().asUser("DELETE", "/api/v1/me/devices/" + id, token("kim"), null).status()).as("not kim's").isEqualTo(404);
        assertThat(api().asUser("DELETE", "/api/v1/me/devices/not-an-id", token("jo"), null).status()).isEqualTo(400);
        assertThat(api().asUser("GET", "/api/v1/me/devices", token("kim"), null).json().get("devices")).isEmpty();
        assertThat(asBackend("GET", "/api/v1/users/kim/devices/" + id + "/attempts", null).status()).isEqualTo(404);
        assertThat(asBackend("GET", "/api/v1/users/jo/devices", null).json().get("devices")).extracting(d -> d.get("id").asText())
                .containsExactly(id);
        assertThat(asBackend("DELETE", "/api/v1/users/jo/devices/" + id, null).status()).isEqualTo(200);
        assertThat(api().asUser("GET", "/api/v1/me/devices", token("jo"), null).json().get("devices")).isEmpty();

        JsonNode config = api().get("/api/v1/push/config").json();
        assertThat(config.get("platforms")).extracting(JsonNode::asText).containsExactly("webpush");
        assertThat(config.get("webpush").get("public_key").asText()).hasSize(87);
    }
}
