package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawUpgrade;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat (story 3) and presence over real sockets through a real node, with two and three users. */
class ChatSocketEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger NEXT = new AtomicInteger(100);
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    /** A fresh numeric user id, so tests sharing the node never see each other. */
    private static String user() {
        return String.valueOf(NEXT.incrementAndGet());
    }

    private static WsClient chat(String user) {
        WsClient ws = node.server().connectAs(user, "/ws/chat");
        JsonNode connected = ws.nextOfType("connected", WAIT);
        assertThat(connected.get("user_id").asText()).isEqualTo(user);
        return ws;
    }

    private static Api.Reply asUser(String user, String method, String path, String body) {
        return node.server().api.asUser(method, path, node.server().tokens.forUser(user), body);
    }

    private static long conversation(String creator, String kind, String... members) {
        StringBuilder m = new StringBuilder();
        for (String member : members) {
            m.append(m.isEmpty() ? "" : ",").append('"').append(member).append('"');
        }
        Api.Reply r = asUser(creator, "POST", "/api/v1/conversations", "{\"kind\":\"" + kind + "\",\"members\":[" + m + "]}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json().get("conversation").get("id").asLong();
    }

    private static JsonNode join(WsClient ws, long conv) {
        ws.send("{\"type\":\"join\",\"conversation_id\":" + conv + "}");
        JsonNode joined = ws.nextOfType("joined", WAIT);
        assertThat(joined.get("conversation_id").asLong()).isEqualTo(conv);
        return joined;
    }

    private static void send(WsClient ws, long conv, String clientId, String content) {
        ws.send("{\"type\":\"send_message\",\"conversation_id\":" + conv + ",\"client_id\":\"" + clientId
                + "\",\"content\":\"" + content + "\"}");
    }

    /** Frames of a type that arrive within {@code window} (for "nothing arrives" checks). */
    private static List<JsonNode> collect(WsClient ws, String type, Duration window) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = ws.poll(Duration.ofMillis(50));
            if (f != null && type.equals(f.path("type").asText())) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void twoUsersChatBothWaysWithAcksLiveMessagesAndHistory() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            join(a, conv);
            join(b, conv);
            send(a, conv, "a-1", "Hi Bob");
            JsonNode ack = a.nextOfType("ack", WAIT);
            assertThat(ack.get("client_id").asText()).isEqualTo("a-1");
            assertThat(ack.get("message").get("seq").asLong()).isEqualTo(1);
            assertThat(ack.get("message").get("content").asText()).isEqualTo("Hi Bob");
            JsonNode atBob = b.nextOfType("message", WAIT);
            assertThat(atBob.get("id").asLong()).isEqualTo(ack.get("message").get("id").asLong());
            assertThat(atBob.get("sender_id").asText()).isEqualTo(alice);
            assertThat(atBob.get("sender_name").asText()).isEqualTo("User " + alice);
            assertThat(atBob.get("client_id").asText()).isEqualTo("a-1");

            send(b, conv, "b-1", "Hi Alice");
            assertThat(b.nextOfType("ack", WAIT).get("message").get("seq").asLong()).isEqualTo(2);
            // Alice's own message may have reached her before or after her ack (clients match by
            // id/client_id); either way the next seq-2 message is Bob's reply.
            JsonNode atAlice = a.nextOfType("message", WAIT);
            if (atAlice.get("seq").asLong() == 1) {
                atAlice = a.nextOfType("message", WAIT);
            }
            assertThat(atAlice.get("seq").asLong()).isEqualTo(2);
            assertThat(atAlice.get("content").asText()).isEqualTo("Hi Alice");
        }
        for (String who : List.of(alice, bob)) {
            Api.Reply history = asUser(who, "GET", "/api/v1/conversations/" + conv + "/messages?limit=10", null);
            assertThat(history.status()).isEqualTo(200);
            assertThat(history.json().get("messages")).extracting(m -> m.get("content").asText())
                    .containsExactly("Hi Bob", "Hi Alice");
            assertThat(history.json().get("next_before").isNull()).isTrue();
        }
        Api.Reply page = asUser(alice, "GET", "/api/v1/conversations/" + conv + "/messages?limit=1", null);
        assertThat(page.json().get("messages").get(0).get("seq").asLong()).isEqualTo(2);
        assertThat(page.json().get("next_before").asLong()).isEqualTo(2);
        Api.Reply older = asUser(alice, "GET", "/api/v1/conversations/" + conv + "/messages?limit=1&before=2", null);
        assertThat(older.json().get("messages").get(0).get("seq").asLong()).isEqualTo(1);
    }

    @Test
    void aRetriedSendWithTheSameClientIdIsAcknowledgedWithTheStoredMessage() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice)) {
            send(a, conv, "same", "once only");
            JsonNode first = a.nextOfType("ack", WAIT);
            send(a, conv, "same", "once only");
            JsonNode second = a.nextOfType("ack", WAIT);
            assertThat(second.get("replayed").asBoolean()).isTrue();
            assertThat(second.get("message").get("id")).isEqualTo(first.get("message").get("id"));
        }
        assertThat(asUser(bob, "GET", "/api/v1/conversations/" + conv + "/messages", null).json().get("messages")).hasSize(1);
    }

    @Test
    void aGroupMessageReachesEveryMemberAndTheSendersOtherTab() {
        String ann = user(), ben = user(), cat = user();
        long group = conversation(ann, "group", ben, cat);
        try (WsClient a1 = chat(ann); WsClient a2 = chat(ann); WsClient b = chat(ben); WsClient c = chat(cat)) {
            for (WsClient ws : List.of(a1, a2, b, c)) {
                join(ws, group);
            }
            send(b, group, "g-1", "hello group");
            for (WsClient ws : List.of(a1, a2, b, c)) {
                JsonNode m = ws.nextOfType("message", WAIT);
                assertThat(m.get("content").asText()).isEqualTo("hello group");
                assertThat(m.get("conversation_id").asLong()).isEqualTo(group);
            }
        }
    }

    @Test
    void typingReachesTheOthersButNotTheTypistAndStopsOrExpires() throws Exception {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            join(a, conv);
            join(b, conv);
            a.send("{\"type\":\"typing\",\"conversation_id\":" + conv + "}");
            JsonNode typing = b.nextOfType("typing", WAIT);
            assertThat(typing.get("user_id").asText()).isEqualTo(alice);
            assertThat(typing.get("conversation_id").asLong()).isEqualTo(conv);
            a.send("{\"type\":\"stop_typing\",\"conversation_id\":" + conv + "}");
            assertThat(b.nextOfType("stop_typing", WAIT).get("user_id").asText()).isEqualTo(alice);
            assertThat(collect(a, "typing", Duration.ofMillis(300))).as("the typist gets no echo").isEmpty();

            b.send("{\"type\":\"typing\",\"conversation_id\":" + conv + "}");
            long started = System.nanoTime();
            a.nextOfType("typing", WAIT);
            JsonNode expired = a.nextOfType("stop_typing", WAIT);
            assertThat(expired.get("user_id").asText()).isEqualTo(bob);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        }
    }

    @Test
    void readReceiptsReachTheSenderAndUnreadCountsFollow() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            join(a, conv);
            for (int i = 1; i <= 3; i++) {
                send(a, conv, "r-" + i, "message " + i);
                a.nextOfType("ack", WAIT);
            }
            JsonNode list = asUser(bob, "GET", "/api/v1/me/conversations", null).json();
            JsonNode row = list.get("conversations").get(0);
            assertThat(row.get("id").asLong()).isEqualTo(conv);
            assertThat(row.get("unread_count").asLong()).isEqualTo(3);
            assertThat(row.get("last_message").get("content").asText()).isEqualTo("message 3");
            assertThat(asUser(alice, "GET", "/api/v1/me/conversations", null).json()
                    .get("conversations").get(0).get("unread_count").asLong()).isZero();

            b.send("{\"type\":\"read\",\"conversation_id\":" + conv + ",\"seq\":2}");
            JsonNode receipt = a.nextOfType("read_receipt", WAIT);
            assertThat(receipt.get("user_id").asText()).isEqualTo(bob);
            assertThat(receipt.get("seq").asLong()).isEqualTo(2);
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> asUser(bob, "GET", "/api/v1/me/conversations", null)
                    .json().get("conversations").get(0).get("unread_count").asLong() == 1);

            Api.Reply read = asUser(bob, "POST", "/api/v1/conversations/" + conv + "/read", "{}");
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("unread_count").asLong()).isZero();
            assertThat(a.nextOfType("read_receipt", WAIT).get("seq").asLong()).isEqualTo(3);
        }
    }

    @Test
    void aReceiverWhoIsNotInTheChatGetsExactlyOneNewMessageNotificationOnEveryTab() throws Exception {
        String john = user(), jane = user();
        long conv = conversation(john, "direct", jane);
        try (WsClient j = chat(john);
             WsClient tab1 = node.server().connectAs(jane, "/ws/notifications");
             WsClient tab2 = node.server().connectAs(jane, "/ws/notifications")) {
            tab1.nextOfType("connected", WAIT);
            tab2.nextOfType("connected", WAIT);
            send(j, conv, "n-1", "Hey, are you available for tomorrow's delivery?");
            JsonNode ack = j.nextOfType("ack", WAIT);
            JsonNode first = tab1.nextOfType("new_message", WAIT);
            JsonNode second = tab2.nextOfType("new_message", WAIT);
            assertThat(first.get("id").asText()).isEqualTo(second.get("id").asText());
            assertThat(first.get("message").asText()).isEqualTo("New message from User " + john);
            assertThat(first.get("chat_id").asLong()).isEqualTo(conv);
            assertThat(first.get("sender_id").isNumber()).isTrue();
            assertThat(first.get("sender_id").asText()).isEqualTo(john);
            assertThat(first.get("sender_name").asText()).isEqualTo("User " + john);
            assertThat(first.get("content_preview").asText()).isEqualTo("Hey, are you available for...");
            assertThat(first.get("message_type").asText()).isEqualTo("text_message");
            assertThat(Instant.parse(first.get("timestamp").asText()))
                    .isEqualTo(Instant.parse(ack.get("message").get("created_at").asText()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertThat(collect(tab1, "new_message", Duration.ofMillis(500))).as("one per message").isEmpty();
            JsonNode inbox = asUser(jane, "GET", "/api/v1/me/notifications", null).json();
            assertThat(inbox.get("notifications")).hasSize(1);
        }
    }

    @Test
    void aReceiverWhoIsInTheChatGetsNoNotificationEvenWithAnotherTabOutsideIt() throws Exception {
        String john = user(), jane = user();
        long conv = conversation(john, "direct", jane);
        try (WsClient j = chat(john);
             WsClient inChat = chat(jane);
             WsClient otherChatTab = chat(jane);
             WsClient bell = node.server().connectAs(jane, "/ws/notifications")) {
            bell.nextOfType("connected", WAIT);
            join(inChat, conv);
            send(j, conv, "n-2", "you are here");
            inChat.nextOfType("message", WAIT);
            assertThat(collect(bell, "new_message", Duration.ofSeconds(1))).isEmpty();

            inChat.send("{\"type\":\"leave\",\"conversation_id\":" + conv + "}");
            assertThat(inChat.nextOfType("left", WAIT).get("conversation_id").asLong()).isEqualTo(conv);
            send(j, conv, "n-3", "now you left");
            assertThat(bell.nextOfType("new_message", WAIT).get("content_preview").asText()).isEqualTo("now you left");
            assertThat(collect(otherChatTab, "message", Duration.ofMillis(300))).as("that tab never joined").isEmpty();
        }
        assertThat(asUser(jane, "GET", "/api/v1/me/notifications", null).json().get("notifications")).hasSize(1);
    }

    @Test
    void partnersSeeOnlineAndOfflineAfterTheGracePeriodAndBackendsCanReadIt() throws Exception {
        String alice = user(), bob = user();
        conversation(alice, "direct", bob);
        try (WsClient b = chat(bob)) {
            WsClient a = chat(alice);
            JsonNode online = b.nextOfType("presence", WAIT);
            assertThat(online.get("user_id").asText()).isEqualTo(alice);
            assertThat(online.get("status").asText()).isEqualTo("online");
            a.close();
            // A reload: back within the grace period, no offline reaches bob.
            WsClient again = chat(alice);
            assertThat(collect(b, "presence", Duration.ofSeconds(6))).isEmpty();
            long closed = System.nanoTime();
            again.close();
            JsonNode offline = b.nextOfType("presence", WAIT);
            assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
            assertThat(offline.get("status").asText()).isEqualTo("offline");
            assertThat(offline.get("last_seen").asText()).isNotEmpty();

            Api.Reply presence = node.server().api.send("GET", "/api/v1/presence?users=" + alice + "," + bob, null,
                    Map.of("Authorization", "Bearer " + TestServer.API_KEY));
            assertThat(presence.status()).isEqualTo(200);
            JsonNode users = presence.json().get("users");
            assertThat(users.get(0).get("online").asBoolean()).isFalse();
            assertThat(users.get(0).get("last_seen").asText()).isEqualTo(offline.get("last_seen").asText());
            assertThat(users.get(1).get("online").asBoolean()).isTrue();
            assertThat(users.get(1).get("status").asText()).isEqualTo("available");
        }
    }

    @Test
    void aStatusChangeIsPushedToPartnersAndTheUsersOtherConnections() {
        String alice = user(), bob = user();
        conversation(alice, "direct", bob);
        try (WsClient a1 = chat(alice); WsClient a2 = chat(alice); WsClient b = chat(bob)) {
            a1.send("{\"type\":\"set_status\",\"status\":\"busy\"}");
            for (WsClient ws : List.of(a1, a2, b)) {
                JsonNode s = ws.nextOfType("status_updated", WAIT);
                assertThat(s.get("user_id").asText()).isEqualTo(alice);
                assertThat(s.get("status").asText()).isEqualTo("busy");
            }
            a1.send("{\"type\":\"set_status\",\"status\":\"\"}");
            assertThat(a1.nextOfType("error", WAIT).get("field").asText()).isEqualTo("status");
        }
    }

    @Test
    void reactionsArePushedLiveToTheMembers() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            join(a, conv);
            join(b, conv);
            send(a, conv, "x-1", "react to this");
            long id = a.nextOfType("ack", WAIT).get("message").get("id").asLong();
            b.send("{\"type\":\"react\",\"conversation_id\":" + conv + ",\"seq\":1,\"emoji\":\"👍\"}");
            JsonNode added = a.nextOfType("reaction", WAIT);
            assertThat(added.get("message_id").asLong()).isEqualTo(id);
            assertThat(added.get("action").asText()).isEqualTo("added");
            b.send("{\"type\":\"react\",\"conversation_id\":" + conv + ",\"message_id\":" + id
                    + ",\"emoji\":\"👍\",\"action\":\"remove\"}");
            assertThat(a.nextOfType("reaction", WAIT).get("action").asText()).isEqualTo("removed");
        }
    }

    @Test
    void aReconnectingClientGetsExactlyTheMessagesItMissedInOrder() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice)) {
            send(a, conv, "m-1", "one");
            a.nextOfType("ack", WAIT);
            try (WsClient b = chat(bob)) {
                JsonNode joined = join(b, conv);
                assertThat(joined.get("seq").asLong()).isEqualTo(1);
                assertThat(joined.get("unread_count").asLong()).isEqualTo(1);
            }
            for (int i = 2; i <= 4; i++) {
                send(a, conv, "m-" + i, "msg " + i);
                a.nextOfType("ack", WAIT);
            }
            try (WsClient b = chat(bob)) {
                b.send("{\"type\":\"join\",\"conversation_id\":" + conv + ",\"since\":1}");
                JsonNode joined = b.nextOfType("joined", WAIT);
                assertThat(joined.get("since").asLong()).isEqualTo(1);
                send(a, conv, "m-5", "live");
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    seqs.add(b.nextOfType("message", WAIT).get("seq").asLong());
                }
                assertThat(seqs).containsExactly(2L, 3L, 4L, 5L);
            }
        }
    }

    @Test
    void aNonMemberIsRefusedEverywhereAndLearnsNothingAboutTheConversation() {
        String alice = user(), bob = user(), eve = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient e = chat(eve)) {
            for (long id : List.of(conv, 987_654_321L)) {
                String expected = "no conversation " + id + " that you are a member of";
                e.send("{\"type\":\"join\",\"conversation_id\":" + id + ",\"ref\":\"j\"}");
                JsonNode err = e.nextOfType("error", WAIT);
                assertThat(err.get("code").asText()).isEqualTo("conversation_not_found");
                assertThat(err.get("message").asText()).isEqualTo(expected);
                assertThat(err.get("ref").asText()).isEqualTo("j");

                send(e, id, "eve-1", "let me in");
                err = e.nextOfType("error", WAIT);
                assertThat(err.get("code").asText()).isEqualTo("conversation_not_found");
                assertThat(err.get("client_id").asText()).isEqualTo("eve-1");

                for (String frame : List.of(
                        "{\"type\":\"typing\",\"conversation_id\":" + id + "}",
                        "{\"type\":\"stop_typing\",\"conversation_id\":" + id + "}",
                        "{\"type\":\"read\",\"conversation_id\":" + id + ",\"seq\":1}",
                        "{\"type\":\"react\",\"conversation_id\":" + id + ",\"seq\":1,\"emoji\":\"👍\"}")) {
                    e.send(frame);
                    JsonNode refused = e.nextOfType("error", WAIT);
                    assertThat(refused.get("code").asText()).as(frame).isEqualTo("conversation_not_found");
                    assertThat(refused.get("message").asText()).isEqualTo(expected);
                }
                for (String[] call : List.of(
                        new String[]{"GET", "/api/v1/conversations/" + id + "/messages", null},
                        new String[]{"POST", "/api/v1/conversations/" + id + "/messages", "{\"content\":\"hi\"}"},
                        new String[]{"POST", "/api/v1/conversations/" + id + "/read", "{\"seq\":1}"})) {
                    Api.Reply r = asUser(eve, call[0], call[1], call[2]);
                    assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(404);
                    assertThat(r.json().get("error").asText()).isEqualTo(expected);
                }
            }
        }
        assertThat(asUser(alice, "GET", "/api/v1/conversations/" + conv + "/messages", null).json().get("messages")).isEmpty();
    }

    @Test
    void badFramesGetClearErrorsAndTheConnectionKeepsWorking() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice)) {
            a.send("{not json");
            assertThat(a.nextOfType("error", WAIT).get("code").asText()).isEqualTo("malformed_json");
            a.send("{\"no\":\"type\"}");
            assertThat(a.nextOfType("error", WAIT).get("code").asText()).isEqualTo("invalid_frame");
            a.send("{\"type\":\"dance\"}");
            JsonNode unknown = a.nextOfType("error", WAIT);
            assertThat(unknown.get("code").asText()).isEqualTo("unknown_type");
            assertThat(unknown.get("message").asText()).contains("send_message");
            a.send("{\"type\":\"join\"}");
            JsonNode missing = a.nextOfType("error", WAIT);
            assertThat(missing.get("code").asText()).isEqualTo("invalid_frame");
            assertThat(missing.get("field").asText()).isEqualTo("conversation_id");
            a.send("{\"type\":\"join\",\"conversation_id\":\"abc\"}");
            assertThat(a.nextOfType("error", WAIT).get("field").asText()).isEqualTo("conversation_id");
            a.send("{\"type\":\"send_message\",\"conversation_id\":" + conv + ",\"client_id\":\"big\",\"content\":\""
                    + "x".repeat(4001) + "\"}");
            JsonNode tooLong = a.nextOfType("error", WAIT);
            assertThat(tooLong.get("code").asText()).isEqualTo("content_too_long");
            assertThat(tooLong.get("client_id").asText()).isEqualTo("big");
            a.send("{\"type\":\"send_message\",\"conversation_id\":" + conv + ",\"content\":42}");
            assertThat(a.nextOfType("error", WAIT).get("field").asText()).isEqualTo("content");
            a.send("{\"type\":\"leave\",\"conversation_id\":" + conv + "}");
            assertThat(a.nextOfType("error", WAIT).get("code").asText()).isEqualTo("conversation_not_found");
            a.send("{\"type\":\"react\",\"conversation_id\":" + conv + ",\"emoji\":\"👍\"}");
            assertThat(a.nextOfType("error", WAIT).get("field").asText()).isEqualTo("seq");

            a.send("{\"type\":\"ping\",\"id\":7}");
            assertThat(a.nextOfType("pong", WAIT).get("id").asInt()).isEqualTo(7);
            send(a, conv, "ok", "still works");
            assertThat(a.nextOfType("ack", WAIT).get("client_id").asText()).isEqualTo("ok");
        }
    }

    @Test
    void theConversationApiCreatesDeduplicatesAndNamesTheBadField() {
        String alice = user(), bob = user(), carol = user();
        Api.Reply first = asUser(alice, "POST", "/api/v1/conversations", "{\"kind\":\"direct\",\"members\":[\"" + bob + "\"]}");
        assertThat(first.status()).isEqualTo(201);
        Api.Reply again = asUser(bob, "POST", "/api/v1/conversations", "{\"kind\":\"direct\",\"members\":[\"" + alice + "\"]}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("created").asBoolean()).isFalse();
        assertThat(again.json().get("conversation").get("id")).isEqualTo(first.json().get("conversation").get("id"));

        Map<String, String> key = Map.of("Authorization", "Bearer " + TestServer.API_KEY);
        Api.Reply backend = node.server().api.send("POST", "/api/v1/backend/conversations",
                "{\"kind\":\"group\",\"title\":\"Order 77\",\"members\":[\"" + alice + "\",\"" + carol + "\"]}", key);
        assertThat(backend.status()).isEqualTo(201);
        assertThat(backend.json().get("conversation").get("members")).hasSize(2);
        assertThat(asUser(carol, "GET", "/api/v1/me/conversations", null).json().get("conversations").get(0)
                .get("title").asText()).isEqualTo("Order 77");

        for (String[] bad : List.of(
                new String[]{"{\"members\":[\"x\"]}", "kind"},
                new String[]{"{\"kind\":\"circle\",\"members\":[\"x\"]}", "kind"},
                new String[]{"{\"kind\":\"group\"}", "members"},
                new String[]{"{\"kind\":\"group\",\"members\":[{}]}", "members[0]"},
                new String[]{"{\"kind\":\"direct\",\"members\":[\"a\",\"b\"]}", "members"},
                new String[]{"{\"kind\":\"group\",\"members\":[\"x\"],\"title\":5}", "title"})) {
            Api.Reply r = asUser(alice, "POST", "/api/v1/conversations", bad[0]);
            assertThat(r.status()).as(bad[0]).isEqualTo(400);
            assertThat(r.json().get("field").asText()).as(bad[0]).isEqualTo(bad[1]);
        }
        assertThat(node.server().api.send("POST", "/api/v1/backend/conversations", "{\"kind\":\"group\",\"members\":[\"x\"]}",
                Map.of("Authorization", "Bearer " + node.server().tokens.forUser(alice))).status()).isEqualTo(401);
        assertThat(node.server().api.send("GET", "/api/v1/presence?users=" + alice, null, Map.of()).status()).isEqualTo(401);
        assertThat(node.server().api.send("GET", "/api/v1/presence", null, key).json().get("field").asText()).isEqualTo("users");
    }

    @Test
    void messagesSentOverHttpAreDeliveredToJoinedSockets() {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient b = chat(bob)) {
            join(b, conv);
            Api.Reply r = asUser(alice, "POST", "/api/v1/conversations/" + conv + "/messages",
                    "{\"content\":\"from http\",\"client_id\":\"h-1\"}");
            assertThat(r.status()).isEqualTo(201);
            assertThat(b.nextOfType("message", WAIT).get("content").asText()).isEqualTo("from http");
            Api.Reply retry = asUser(alice, "POST", "/api/v1/conversations/" + conv + "/messages",
                    "{\"content\":\"from http\",\"client_id\":\"h-1\"}");
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.json().get("replayed").asBoolean()).isTrue();
            Api.Reply empty = asUser(alice, "POST", "/api/v1/conversations/" + conv + "/messages", "{}");
            assertThat(empty.status()).isEqualTo(400);
            assertThat(empty.json().get("field").asText()).isEqualTo("content");
        }
    }

    @Test
    void aTypingFloodGetsRateLimitedErrorsAndTheConnectionKeepsWorking() throws Exception {
        String alice = user(), bob = user();
        long conv = conversation(alice, "direct", bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            join(b, conv);
            for (int i = 0; i < 16; i++) {
                a.send("{\"type\":\"" + (i % 2 == 0 ? "typing" : "stop_typing") + "\",\"conversation_id\":" + conv
                        + ",\"ref\":" + i + "}");
            }
            List<JsonNode> errors = collect(a, "error", Duration.ofSeconds(2));
            assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e.get("code").asText()).isEqualTo("rate_limited"));
            assertThat(collect(b, "typing", Duration.ofMillis(200)).size()).as("the budget bounds what bob sees").isLessThanOrEqualTo(5);
            send(a, conv, "after-flood", "still here");
            assertThat(a.nextOfType("ack", WAIT).get("client_id").asText()).isEqualTo("after-flood");
        }
    }

    @Test
    void aMemberWithAChatConnectionLearnsOfANewConversationAtOnce() {
        String alice = user(), bob = user();
        try (WsClient b = chat(bob)) {
            long conv = conversation(alice, "group", bob);
            JsonNode added = b.nextOfType("conversation_added", WAIT);
            assertThat(added.get("conversation").get("id").asLong()).isEqualTo(conv);
            assertThat(added.get("conversation").get("members")).extracting(JsonNode::asText).containsExactlyInAnyOrder(alice, bob);
        }
    }

    @Test
    void theChatSocketRefusesAMissingOrExpiredTokenBeforeTheUpgrade() {
        RawUpgrade.Answer none = RawUpgrade.request(node.server().port(), "/ws/chat", Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body()).contains("token");
        String expired = TestTokens.sign(TestServer.SECRET, user(), List.of(), Instant.now().minusSeconds(60));
        RawUpgrade.Answer old = RawUpgrade.request(node.server().port(), "/ws/chat?access_token=" + expired, Map.of());
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.body()).contains("expired");
    }
}
