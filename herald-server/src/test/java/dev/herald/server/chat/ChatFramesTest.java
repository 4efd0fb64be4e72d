package dev.herald.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.stream.StreamEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChatFramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2025-02-07T08:55:00.123Z");

    private static ChatMessage message(String sender, String content) {
        return new ChatMessage(987, 123, 5, sender, "John Doe", "c-1", "text_message", content, AT);
    }

    private static JsonNode parse(StreamEvent e) throws Exception {
        return JSON.readTree(e.json());
    }

    @Test
    void aMessageIsASequencedEventOnItsConversationStreamWithEveryField() throws Exception {
        StreamEvent e = ChatFrames.message(message("456", "hi"));
        assertThat(e.stream()).isEqualTo("conv:123");
        assertThat(e.seq()).isEqualTo(5);
        assertThat(e.type()).isEqualTo("message");
        assertThat(e.unread()).isEqualTo(-1);
        assertThat(parse(e).toString()).isEqualTo("{\"type\":\"message\",\"id\":987,\"conversation_id\":123,\"seq\":5,"
                + "\"sender_id\":\"456\",\"sender_name\":\"John Doe\",\"client_id\":\"c-1\",\"message_type\":\"text_message\","
                + "\"content\":\"hi\",\"created_at\":\"2025-02-07T08:55:00.123Z\"}");
    }

    /** The frame is written without a tree: the same bytes as the message object the API shows. */
    @Test
    void aMessageFrameIsByteForByteTheMessageObjectWithItsType() throws Exception {
        for (ChatMessage m : List.of(message("456", "hi"),
                new ChatMessage(1, 2, 3, "alice", null, null, "text_message", "quote \" slash \\ tab \t é 😀 \u0001", AT),
                new ChatMessage(Long.MAX_VALUE, 7, 1, "u", "Ünïcode", "id-1", "image", "{\"url\":\"x\"}", AT))) {
            com.fasterxml.jackson.databind.node.ObjectNode expected = JSON.createObjectNode().put("type", "message");
            expected.setAll(ChatFrames.messageObject(m));
            assertThat(new String(ChatFrames.message(m).json(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(new String(JSON.writeValueAsBytes(expected), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void theNewMessageNotificationHasExactlyTheShapeOfStoryThree() throws Exception {
        String json = ChatFrames.newMessageNotification(message("456", "Hey, are you available for tomorrow's delivery?"), 30);
        assertThat(json).isEqualTo("{\"type\":\"new_message\",\"message\":\"New message from John Doe\",\"chat_id\":123,"
                + "\"sender_id\":456,\"sender_name\":\"John Doe\",\"content_preview\":\"Hey, are you available for...\","
                + "\"message_type\":\"text_message\",\"timestamp\":\"2025-02-07T08:55:00Z\"}");
    }

    @Test
    void aNonNumericSenderIdStaysAStringAndAMissingNameFallsBackToTheId() throws Exception {
        ChatMessage m = new ChatMessage(1, 2, 1, "alice", null, null, "text_message", "short", AT);
        JsonNode n = JSON.readTree(ChatFrames.newMessageNotification(m, 30));
        assertThat(n.get("sender_id").isTextual()).isTrue();
        assertThat(n.get("sender_id").asText()).isEqualTo("alice");
        assertThat(n.get("message").asText()).isEqualTo("New message from alice");
        assertThat(n.get("content_preview").asText()).isEqualTo("short");
    }

    @Test
    void previewsCutAtAWordNearTheLimitAndNeverSplitASurrogatePair() {
        assertThat(ChatFrames.preview("exactly thirty characters long", 30)).isEqualTo("exactly thirty characters long");
        assertThat(ChatFrames.preview("Hey, are you available for the job?", 30)).isEqualTo("Hey, are you available for the...");
        assertThat(ChatFrames.preview("a".repeat(50), 30)).isEqualTo("a".repeat(30) + "...");
        assertThat(ChatFrames.preview("  spaced\n\nout   text  ", 30)).isEqualTo("spaced out text");
        String emojis = "😀".repeat(40);
        String cut = ChatFrames.preview(emojis, 30);
        assertThat(cut).isEqualTo("😀".repeat(30) + "...");
    }

    @Test
    void typingSkipsTheTypistAndReceiptsAndReactionsReachEveryone() throws Exception {
        StreamEvent typing = ChatFrames.typing(7, "u1");
        assertThat(typing.isSequenced()).isFalse();
        assertThat(typing.excludeUserId()).isEqualTo("u1");
        assertThat(parse(typing).toString()).isEqualTo("{\"type\":\"typing\",\"conversation_id\":7,\"user_id\":\"u1\"}");
        assertThat(ChatFrames.stopTyping(7, "u1").excludeUserId()).isEqualTo("u1");
        assertThat(ChatFrames.stopTyping(7, "u1").type()).isEqualTo("stop_typing");

        StreamEvent receipt = ChatFrames.readReceipt(new ReadResult(7, "u2", 4, 9, true));
        assertThat(receipt.excludeUserId()).isNull();
        assertThat(parse(receipt).toString()).isEqualTo("{\"type\":\"read_receipt\",\"conversation_id\":7,\"user_id\":\"u2\",\"seq\":4}");

        StreamEvent reaction = ChatFrames.reaction(new Reaction(7, 99, 3, "u2", "👍", false, true));
        assertThat(parse(reaction).toString()).isEqualTo("{\"type\":\"reaction\",\"conversation_id\":7,\"message_id\":99,"
                + "\"seq\":3,\"user_id\":\"u2\",\"emoji\":\"👍\",\"action\":\"removed\"}");
    }

    @Test
    void presenceAndStatusGoToEachPartnersOwnStreamSharingOneEncoding() throws Exception {
        byte[] offline = ChatFrames.presence("u1", false, AT);
        List<StreamEvent> events = ChatFrames.toUsers(List.of("a", "b"), "presence", offline);
        assertThat(events).extracting(StreamEvent::stream).containsExactly("chatuser:a", "chatuser:b");
        assertThat(events.get(0).json()).isSameAs(events.get(1).json());
        assertThat(JSON.readTree(offline).toString())
                .isEqualTo("{\"type\":\"presence\",\"user_id\":\"u1\",\"status\":\"offline\",\"last_seen\":\"2025-02-07T08:55:00.123Z\"}");
        assertThat(JSON.readTree(ChatFrames.presence("u1", true, null)).get("last_seen").isNull()).isTrue();
        assertThat(JSON.readTree(ChatFrames.statusUpdated("u1", "busy")).toString())
                .isEqualTo("{\"type\":\"status_updated\",\"user_id\":\"u1\",\"status\":\"busy\"}");
    }

    @Test
    void errorsEchoTheClientIdAndRefOnlyWhenGiven() {
        assertThat(ChatFrames.error("conversation_not_found", "no", "conversation_id", "c-9", null).toString())
                .isEqualTo("{\"type\":\"error\",\"code\":\"conversation_not_found\",\"message\":\"no\","
                        + "\"field\":\"conversation_id\",\"client_id\":\"c-9\"}");
        assertThat(ChatFrames.error("unknown_type", "x", null, null, "r1").toString())
                .isEqualTo("{\"type\":\"error\",\"code\":\"unknown_type\",\"message\":\"x\",\"ref\":\"r1\"}");
    }

    @Test
    void joinedCarriesTheUnreadCountAndTheResumePoint() {
        Conversation c = new Conversation(7, ConversationKind.DIRECT, null, "a", List.of("a", "b"), 9, AT, AT);
        JsonNode joined = ChatFrames.joined(c, 9, 4, 20, "j1");
        assertThat(joined.get("seq").asLong()).isEqualTo(9);
        assertThat(joined.get("unread_count").asLong()).isEqualTo(5);
        assertThat(joined.get("since").asLong()).as("clamped to the last seq").isEqualTo(9);
        assertThat(joined.get("conversation").get("members").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(joined.get("ref").asText()).isEqualTo("j1");
        assertThat(ChatFrames.joined(c, 9, 4, -1, null).has("since")).isFalse();
    }
}
