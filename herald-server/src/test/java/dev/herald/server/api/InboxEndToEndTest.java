package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox over real sockets: categories and tags, seen and archived, filters, counts, actions
 * one by one, by ids and by filter, and the frames that carry each change to the user's sockets.
 */
class InboxEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.maxHttpBodyBytes(256 * 1024));
    private static Api api;

    @BeforeAll
    static void useTheNodesApi() {
        api = node.server().api;
    }

    private static String token(String user) {
        return node.server().tokens.forUser(user);
    }

    private static String publish(String user, String type, String category, String... tags) {
        StringBuilder body = new StringBuilder("{\"to\":{\"user\":\"" + user + "\"},\"notification\":{\"type\":\"" + type + "\"}");
        if (category != null) {
            body.append(",\"category\":\"").append(category).append('"');
        }
        if (tags.length > 0) {
            body.append(",\"tags\":[\"").append(String.join("\",\"", tags)).append("\"]");
        }
        Api.Reply r = api.publish(body.append('}').toString());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("ids").get(0).asText();
    }

    private static JsonNode get(String user, String pathAndQuery) {
        Api.Reply r = api.asUser("GET", pathAndQuery, token(user), null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static Api.Reply post(String user, String path, String body) {
        return api.asUser("POST", path, token(user), body);
    }

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.get("notifications").forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    @Test
    void aPublishsCategoryAndTagsReachTheSocketAndTheFeedFiltersByThem() {
        String user = "cat-user";
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            String order = publish(user, "order_created", "orders", "urgent", "kitchen");
            String promo = publish(user, "promo", "marketing");

            JsonNode frame = ws.nextOfType("order_created", Duration.ofSeconds(5));
            assertThat(frame.get("category").asText()).isEqualTo("orders");
            assertThat(frame.get("tags")).extracting(JsonNode::asText).containsExactly("urgent", "kitchen");
            assertThat(ws.nextOfType("unread_count", Duration.ofSeconds(5)).get("unseen_count").asInt()).isEqualTo(1);

            assertThat(ids(get(user, "/api/v1/me/notifications?category=orders"))).containsExactly(order);
            assertThat(ids(get(user, "/api/v1/me/notifications?tag=kitchen"))).containsExactly(order);
            assertThat(ids(get(user, "/api/v1/me/notifications?category=marketing&tag=urgent"))).isEmpty();
            assertThat(ids(get(user, "/api/v1/me/notifications"))).containsExactly(promo, order);
        }
    }

    @Test
    void aNotificationPastItsExpiryLeavesTheFeedAndTheCountsAtOnce() {
        String user = "expiring";
        String soon = java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now().plusMillis(1500).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        Api.Reply r = api.publish("{\"to\":{\"user\":\"" + user + "\"},\"expires_at\":\"" + soon
                + "\",\"notification\":{\"type\":\"flash_sale\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String kept = publish(user, "t", null);
        JsonNode feed = get(user, "/api/v1/me/notifications");
        assertThat(ids(feed)).hasSize(2);
        assertThat(feed.get("notifications").get(1).get("expires_at").asText()).isEqualTo(soon);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> ids(get(user, "/api/v1/me/notifications")).equals(List.of(kept)));
        assertThat(get(user, "/api/v1/me/notifications/counts").get("total").asInt()).isEqualTo(1);
        assertBad(api.publish("{\"to\":{\"user\":\"x\"},\"ttl\":-5,\"notification\":{\"type\":\"t\"}}"), "ttl");
    }

    @Test
    void aDigestReachesTheSocketAsOneItemThatEachEventReplacesWithTheGroupsCount() {
        String user = "digest";
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Api.Reply r = api.publish("{\"to\":{\"user\":\"" + user + "\"},\"group_key\":\"chat:12\","
                        + "\"notification\":{\"type\":\"new_message\",\"from\":\"John\",\"preview\":\"m" + i + "\"}}");
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                ids.add(r.json().get("ids").get(0).asText());
            }
            // Events written in one pass share one unread_count after them (protocol.md): read
            // the frames in order until the third event and the count after it.
            List<JsonNode> events = new ArrayList<>();
            boolean countAfterLast = false;
            for (int read = 0; read < 20 && !countAfterLast; read++) {
                JsonNode frame = ws.next();
                switch (frame.path("type").asText()) {
                    case "new_message" -> events.add(frame);
                    case "unread_count" -> {
                        assertThat(frame.get("count").asInt()).as("the group counts once").isEqualTo(1);
                        countAfterLast = events.size() == 3;
                    }
                    default -> { }
                }
            }
            assertThat(countAfterLast).as("an unread_count after the third event").isTrue();
            assertThat(events).hasSize(3);
            for (int i = 1; i <= 3; i++) {
                JsonNode frame = events.get(i - 1);
                assertThat(frame.get("group_count").asInt()).isEqualTo(i);
                assertThat(frame.get("preview").asText()).isEqualTo("m" + i);
                if (i > 1) {
                    assertThat(frame.get("group_replaces").asText()).isEqualTo(ids.get(i - 2));
                }
            }
        }
        JsonNode feed = get(user, "/api/v1/me/notifications");
        assertThat(ids(feed)).hasSize(1);
        assertThat(feed.get("notifications").get(0).get("group_count").asInt()).isEqualTo(3);
        assertBad(api.publish("{\"to\":{\"user\":\"x\"},\"group_window\":5,\"notification\":{\"type\":\"t\"}}"), "group_window");
    }

    @Test
    void badCategoriesTagsAndFiltersAreRefusedNamingTheField() {
        String to = "{\"to\":{\"user\":\"bad-cat\"},\"notification\":{\"type\":\"t\"}";
        assertBad(api.publish(to + ",\"category\":\"has space\"}"), "category");
        assertBad(api.publish(to + ",\"category\":7}"), "category");
        assertBad(api.publish(to + ",\"tags\":\"urgent\"}"), "tags");
        assertBad(api.publish(to + ",\"tags\":[\"a,b\"]}"), "tags[0]");
        assertBad(api.publish(to + ",\"tags\":[" + "\"t\",".repeat(16) + "\"t\"]}"), "tags");
        assertBad(api.publish("{\"to\":{\"user\":\"bad-cat\"},\"category\":\"orders\",\"notification\":{\"type\":\"t\",\"category\":\"x\"}}"),
                "notification.category");
        assertBad(api.publish("{\"to\":{\"user\":\"bad-cat\"},\"notification\":{\"type\":\"t\",\"seen_at\":\"x\"}}"),
                "notification.seen_at");
        assertBad(api.publish("{\"to\":{\"user\":\"bad-cat\"},\"notification\":{\"type\":\"inbox\"}}"), "notification.type");

        String t = token("bad-cat");
        assertBad(api.asUser("GET", "/api/v1/me/notifications?archived=maybe", t, null), "archived");
        assertBad(api.asUser("GET", "/api/v1/me/notifications?seen=1", t, null), "seen");
        assertBad(api.asUser("GET", "/api/v1/me/notifications?category=a%20b", t, null), "category");
        assertBad(api.asUser("GET", "/api/v1/me/notifications?created_after=yesterday", t, null), "created_after");
        assertBad(api.asUser("GET", "/api/v1/me/notifications?read=true&unread=true", t, null), "unread");
        assertThat(api.asUser("GET", "/api/v1/me/notifications?read=false&unread=false", t, null).status())
                .as("unread=false filters nothing, so it agrees with anything").isEqualTo(200);
        assertThat(api.asUser("GET", "/api/v1/me/notifications?read=false&unread=true", t, null).status()).isEqualTo(200);
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"explode\",\"ids\":[\"x\"]}"), "action");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\"}"), "ids");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"ids\":[\"x\"],\"filter\":{}}"), "ids");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"ids\":[]}"), "ids");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"ids\":[7]}"), "ids[0]");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"filter\":{\"colour\":\"red\"}}"),
                "filter.colour");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"filter\":{\"read\":[true]}}"),
                "filter.read");
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", "{\"action\":\"read\",\"filter\":{},\"force\":true}"), "force");
        StringBuilder many = new StringBuilder("{\"action\":\"read\",\"ids\":[");
        for (int i = 0; i <= 1000; i++) {
            many.append(i == 0 ? "" : ",").append("\"id-").append(i).append('"');
        }
        assertBad(post("bad-cat", "/api/v1/me/notifications/bulk", many.append("]}").toString()), "ids");
        assertBad(post("bad-cat", "/api/v1/me/notifications/counts", "{}"), "filters");
        assertBad(post("bad-cat", "/api/v1/me/notifications/counts", "{\"filters\":{\"bad name\":{}}}"), "filters");
        StringBuilder tabs = new StringBuilder("{\"filters\":{");
        for (int i = 0; i <= 20; i++) {
            tabs.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":{}");
        }
        assertBad(post("bad-cat", "/api/v1/me/notifications/counts", tabs.append("}}").toString()), "filters");
        assertThat(post("bad-cat", "/api/v1/me/notifications/counts", "{\"filters\":").status()).isEqualTo(400);
        assertThat(api.asUser("POST", "/api/v1/me/notifications/" + "x".repeat(300) + "/archive", t, null).status())
                .isEqualTo(404);
    }

    private static void assertBad(Api.Reply r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(field);
    }

    @Test
    void seenReadArchiveAndBackAnswerTheCountsAndReachTheUsersSocketAsInboxFrames() {
        String user = "states";
        String a = publish(user, "t", null);
        String b = publish(user, "t", null);
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            JsonNode connected = ws.nextOfType("connected", Duration.ofSeconds(5));
            assertThat(connected.get("unread_count").asInt()).isEqualTo(2);
            assertThat(connected.get("unseen_count").asInt()).isEqualTo(2);

            Api.Reply seen = post(user, "/api/v1/me/notifications/" + a + "/seen", null);
            assertThat(seen.json().get("changed").asBoolean()).isTrue();
            assertThat(seen.json().get("unread_count").asInt()).isEqualTo(2);
            assertThat(seen.json().get("unseen_count").asInt()).isEqualTo(1);
            JsonNode inbox = ws.nextOfType("inbox", Duration.ofSeconds(5));
            assertThat(inbox.get("action").asText()).isEqualTo("seen");
            assertThat(inbox.get("ids")).extracting(JsonNode::asText).containsExactly(a);
            JsonNode counts = ws.nextOfType("unread_count", Duration.ofSeconds(5));
            assertThat(counts.get("count").asInt()).isEqualTo(2);
            assertThat(counts.get("unseen_count").asInt()).isEqualTo(1);
            assertThat(post(user, "/api/v1/me/notifications/" + a + "/seen", null).json().get("changed").asBoolean())
                    .isFalse();

            Api.Reply archived = post(user, "/api/v1/me/notifications/" + b + "/archive", null);
            assertThat(archived.json().get("unread_count").asInt()).isEqualTo(1);
            assertThat(archived.json().get("unseen_count").asInt()).as("a is seen, b archived").isZero();
            assertThat(ws.nextOfType("inbox", Duration.ofSeconds(5)).get("action").asText()).isEqualTo("archive");
            assertThat(ids(get(user, "/api/v1/me/notifications"))).containsExactly(a);
            JsonNode archive = get(user, "/api/v1/me/notifications?archived=true");
            assertThat(ids(archive)).containsExactly(b);
            assertThat(archive.get("notifications").get(0).get("archived_at").isNull()).isFalse();
            assertThat(ids(get(user, "/api/v1/me/notifications?archived=any"))).containsExactly(b, a);

            assertThat(post(user, "/api/v1/me/notifications/" + b + "/unarchive", null).json().get("unseen_count").asInt())
                    .isEqualTo(1);
            assertThat(post(user, "/api/v1/me/notifications/" + a + "/read", null).json().get("unread_count").asInt())
                    .isEqualTo(1);
            Api.Reply unread = post(user, "/api/v1/me/notifications/" + a + "/unread", null);
            assertThat(unread.json().get("unread_count").asInt()).isEqualTo(2);
            assertThat(unread.json().get("unseen_count").asInt()).as("unread stays seen").isEqualTo(1);
            JsonNode listed = get(user, "/api/v1/me/notifications?seen=true").get("notifications").get(0);
            assertThat(listed.get("id").asText()).isEqualTo(a);
            assertThat(listed.get("read_at").isNull()).isTrue();
            assertThat(listed.get("seen_at").isNull()).isFalse();
        }
    }

    @Test
    void anotherUsersNotificationIsNotFoundForEveryActionAndAbulkSkipsIt() {
        String theirs = publish("owner-2", "t", null);
        for (String action : List.of("seen", "read", "unread", "archive", "unarchive")) {
            assertThat(post("intruder-2", "/api/v1/me/notifications/" + theirs + "/" + action, null).status())
                    .as(action).isEqualTo(404);
        }
        Api.Reply bulk = post("intruder-2", "/api/v1/me/notifications/bulk",
                "{\"action\":\"delete\",\"ids\":[\"" + theirs + "\"]}");
        assertThat(bulk.status()).isEqualTo(200);
        assertThat(bulk.json().get("changed").asInt()).isZero();
        assertThat(get("owner-2", "/api/v1/me/notifications/unread-count").get("count").asInt()).isEqualTo(1);
        assertThat(ids(get("owner-2", "/api/v1/me/notifications"))).containsExactly(theirs);
    }

    @Test
    void bulkByIdsAndByFilterChangeWhatTheySayAndCountsDrawEveryTabInOneCall() {
        String user = "bulk";
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            orders.add(publish(user, "order_created", "orders"));
        }
        String promo = publish(user, "promo", "marketing", "sale");

        Api.Reply seen = post(user, "/api/v1/me/notifications/bulk",
                "{\"action\":\"seen\",\"ids\":[\"" + orders.get(0) + "\",\"" + promo + "\",\"unknown\"]}");
        assertThat(seen.status()).as(seen.body()).isEqualTo(200);
        assertThat(seen.json().get("changed").asInt()).isEqualTo(2);
        assertThat(seen.json().get("ids")).extracting(JsonNode::asText).containsExactly(orders.get(0), promo);
        assertThat(seen.json().get("unseen_count").asInt()).isEqualTo(2);

        Api.Reply read = post(user, "/api/v1/me/notifications/bulk",
                "{\"action\":\"read\",\"filter\":{\"category\":\"orders\",\"seen\":true}}");
        assertThat(read.json().get("changed").asInt()).isEqualTo(1);
        Api.Reply archived = post(user, "/api/v1/me/notifications/bulk",
                "{\"action\":\"archive\",\"filter\":{\"category\":\"orders\",\"read\":true}}");
        assertThat(archived.json().get("changed").asInt()).isEqualTo(1);
        assertThat(archived.json().get("unread_count").asInt()).isEqualTo(3);

        Api.Reply tabs = post(user, "/api/v1/me/notifications/counts",
                "{\"filters\":{\"all\":{},\"orders\":{\"category\":\"orders\"},\"sale\":{\"tag\":\"sale\"},"
                        + "\"archived\":{\"archived\":true},\"unseen\":{\"seen\":false}}}");
        assertThat(tabs.status()).as(tabs.body()).isEqualTo(200);
        assertThat(tabs.json().get("counts").toString()).isEqualTo("{\"all\":{\"total\":3,\"unread\":3,\"unseen\":2},"
                + "\"orders\":{\"total\":2,\"unread\":2,\"unseen\":2},\"sale\":{\"total\":1,\"unread\":1,\"unseen\":0},"
                + "\"archived\":{\"total\":1,\"unread\":0,\"unseen\":0},\"unseen\":{\"total\":2,\"unread\":2,\"unseen\":2}}");
        assertThat(get(user, "/api/v1/me/notifications/counts?category=orders").toString())
                .isEqualTo("{\"total\":2,\"unread\":2,\"unseen\":2}");

        Api.Reply back = post(user, "/api/v1/me/notifications/bulk", "{\"action\":\"unarchive\",\"filter\":{}}");
        assertThat(back.json().get("changed").asInt()).as("unarchive by filter looks at the archive").isEqualTo(1);
        Api.Reply deleted = post(user, "/api/v1/me/notifications/bulk", "{\"action\":\"delete\",\"filter\":{\"tag\":\"sale\"}}");
        assertThat(deleted.json().get("changed").asInt()).isEqualTo(1);
        assertThat(ids(get(user, "/api/v1/me/notifications"))).containsExactlyElementsOf(orders.reversed());
        Api.Reply allSeen = post(user, "/api/v1/me/notifications/bulk", "{\"action\":\"seen\",\"filter\":{}}");
        assertThat(allSeen.json().get("unseen_count").asInt()).isZero();
        assertThat(post(user, "/api/v1/me/notifications/read-all", null).json().get("unseen_count").asInt()).isZero();
    }

    @Test
    void anActionByFilterOverManyBatchesChangesEveryMatchAndAnnouncesEachBatch() {
        String user = "many";
        StringBuilder batch = new StringBuilder("{\"publishes\":[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"to\":{\"user\":\"many\"},\"category\":\"")
                    .append(i % 2 == 0 ? "even" : "odd").append("\",\"notification\":{\"type\":\"n\"}}");
        }
        String body = batch.append("]}").toString();
        for (int round = 0; round < 3; round++) {
            assertThat(api.publishBatch(body).status()).isEqualTo(201);
        }
        try (WsClient ws = node.server().connectAs(user, "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            Api.Reply archived = post(user, "/api/v1/me/notifications/bulk", "{\"action\":\"archive\",\"filter\":{\"category\":\"even\"}}");
            assertThat(archived.status()).as(archived.body()).isEqualTo(200);
            assertThat(archived.json().get("changed").asInt()).isEqualTo(1500);
            assertThat(archived.json().get("unread_count").asInt()).isEqualTo(1500);
            int announced = 0;
            while (announced < 1500) {
                JsonNode inbox = ws.nextOfType("inbox", Duration.ofSeconds(10));
                assertThat(inbox.get("ids").size()).isLessThanOrEqualTo(1000);
                announced += inbox.get("ids").size();
            }
            assertThat(announced).isEqualTo(1500);
        }
        assertThat(get(user, "/api/v1/me/notifications/counts?category=even").get("total").asInt()).isZero();
        assertThat(get(user, "/api/v1/me/notifications/counts?category=even&archived=true").get("total").asInt())
                .isEqualTo(1500);
    }
}
