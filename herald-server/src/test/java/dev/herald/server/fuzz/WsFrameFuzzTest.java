package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client frames on the plain WebSocket endpoints, end to end on one in-process node:
 * {@code /ws/notifications} (JSON parsing and ping, refresh, mark_read, mark_all_read) and
 * {@code /ws/chat} (join, leave, send_message, typing, read, react, set_status in a conversation
 * the fuzzed user belongs to). Contract (docs/protocol.md, docs/chat-protocol.md): any text
 * frame is answered in order, an invalid one by an {@code error} frame with a client-error code,
 * and the connection stays open; no frame is answered {@code internal_error}. After each input a
 * bystander connection of another user still answers its ping, and saw nothing of the input.
 */
class WsFrameFuzzTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    // One node for all inputs of a run: set up before the first, closed after the last.
    // No rate limit: the fuzzer sends as fast as the node answers.
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.clientFrameRate(1_000_000).clientFrameBurst(1_000_000));
    private static long conversation;
    private static WsClient bystander;
    private static WsClient notifications;
    private static WsClient chat;
    private static long pings;

    @BeforeAll
    static void joinAConversation() {
        conversation = conversation();
        bystander = connect("bystander", "/ws/notifications");
    }

    @AfterAll
    static void closeClients() {
        for (WsClient ws : new WsClient[] {notifications, chat, bystander}) {
            if (ws != null) {
                ws.close();
            }
        }
        notifications = chat = bystander = null;
    }

    @FuzzTest(maxDuration = "2m")
    void notificationSocketFramesAreAnsweredInOrderAndLeaveTheConnectionOpen(byte[] input) {
        if (notifications == null || notifications.isClosed()) {
            notifications = connect("fuzzer", "/ws/notifications");
        }
        exchange(notifications, new String(input, StandardCharsets.UTF_8));
    }

    @FuzzTest(maxDuration = "2m")
    void chatSocketFramesAreAnsweredInOrderAndLeaveTheConnectionOpen(byte[] input) {
        if (chat == null || chat.isClosed()) {
            chat = connect("fuzzer", "/ws/chat");
        }
        // Seeds say "CONV" where the fuzzed user's own conversation id belongs.
        exchange(chat, new String(input, StandardCharsets.UTF_8).replace("CONV", Long.toString(conversation)));
    }

    /** Sends the frame and a ping after it; everything up to the pong is the frame's answer. */
    private static void exchange(WsClient ws, String frame) {
        long id = ++pings;
        ws.send(frame);
        ws.send("{\"type\":\"ping\",\"id\":" + id + "}");
        List<JsonNode> answers = new ArrayList<>();
        while (true) {
            JsonNode f = ws.next(WAIT);
            if (f.path("type").asText().equals("pong") && f.path("id").asLong() == id) {
                break;
            }
            answers.add(f);
        }
        for (JsonNode a : answers) {
            assertThat(a.path("code").asText()).as("answer to %s: %s", frame, a).isNotEqualTo("internal_error");
        }
        assertThat(ws.isClosed()).as("connection closed by %s", frame).isFalse();
        bystander.send("{\"type\":\"ping\",\"id\":" + id + "}");
        JsonNode pong = bystander.next(WAIT);
        assertThat(pong.path("type").asText()).as("bystander after %s: %s", frame, pong).isEqualTo("pong");
        assertThat(pong.path("id").asLong()).isEqualTo(id);
    }

    private static WsClient connect(String user, String path) {
        WsClient ws = node.server().connectAs(user, path);
        assertThat(ws.nextOfType("connected", WAIT)).isNotNull();
        return ws;
    }

    private static long conversation() {
        TestServer server = node.server();
        Api.Reply r = server.api.asUser("POST", "/api/v1/conversations", server.tokens.forUser("fuzzer"),
                "{\"kind\":\"group\",\"title\":\"fuzz\",\"members\":[\"fuzzer\",\"other\"]}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json().get("conversation").get("id").asLong();
    }
}
