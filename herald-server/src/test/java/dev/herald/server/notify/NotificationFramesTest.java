package dev.herald.server.notify;

import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxChange;
import dev.herald.server.stream.StreamState;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.store.StoredNotification;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationFramesTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aFrameIsTheAppsObjectWithHeraldsFieldsAppended() throws Exception {
        StoredNotification n = new StoredNotification("abc", "user:42", 7, "order_created",
                "{\"type\":\"order_created\",\"message\":\"Order #1001 created\",\"order_id\":1001}",
                Instant.parse("2025-02-07T08:55:00.123Z"), null, null, null, 3, 4);
        StreamEvent e = NotificationFrames.event(n);

        String text = new String(e.json(), StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"type\":\"order_created\",");
        JsonNode frame = json.readTree(text);
        assertThat(frame.get("message").asText()).isEqualTo("Order #1001 created");
        assertThat(frame.get("order_id").asInt()).isEqualTo(1001);
        assertThat(frame.get("id").asText()).isEqualTo("abc");
        assertThat(frame.get("seq").asLong()).isEqualTo(7);
        assertThat(frame.get("created_at").asText()).isEqualTo("2025-02-07T08:55:00.123Z");
        assertThat(e.seq()).isEqualTo(7);
        assertThat(e.unread()).isEqualTo(3);
        assertThat(e.unseen()).isEqualTo(4);
        assertThat(json.readTree(NotificationFrames.unreadCountAfter(e).json()).toString())
                .isEqualTo("{\"type\":\"unread_count\",\"count\":3,\"unseen_count\":4}");
    }

    @Test
    void theUnreadCountFrameCarriesBothCountsAndLeavesOutAnUnknownUnseenCount() throws Exception {
        StreamEvent e = NotificationFrames.unreadCount("user:1", 12, 15);
        assertThat(e.isSequenced()).isFalse();
        assertThat(json.readTree(e.json()).toString())
                .isEqualTo("{\"type\":\"unread_count\",\"count\":12,\"unseen_count\":15}");
        assertThat(json.readTree(NotificationFrames.unreadCount("user:1", 2, -1).json()).toString())
                .isEqualTo("{\"type\":\"unread_count\",\"count\":2}");
    }

    @Test
    void anInboxFrameNamesTheActionTheChangedIdsAndTheNewCounts() throws Exception {
        InboxChange change = new InboxChange("user:1", InboxAction.ARCHIVE, List.of("a", "b", "c"), List.of("a", "c"),
                new StreamState(9, 4, 5), 0, false);
        StreamEvent e = NotificationFrames.inboxChanged(change);
        assertThat(e.isSequenced()).isFalse();
        assertThat(e.type()).isEqualTo("inbox");
        assertThat(json.readTree(e.json()).toString()).isEqualTo(
                "{\"type\":\"inbox\",\"action\":\"archive\",\"ids\":[\"a\",\"c\"],\"unread_count\":4,\"unseen_count\":5}");
    }
}
