package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A chat conversation.
 *
 * @param id      Herald's id (a number)
 * @param kind    {@code direct} or {@code group}
 * @param title   the title, or null
 * @param members the members' user ids
 * @param lastSeq the seq of its last message (0: none yet)
 * @param raw     the object as received (with {@code unread_count}, {@code last_message} in a list)
 */
public record Conversation(long id, String kind, String title, List<String> members, long lastSeq, JsonNode raw) {
    static Conversation of(JsonNode c) {
        List<String> members = new ArrayList<>();
        c.path("members").forEach(m -> members.add(m.asText()));
        return new Conversation(c.path("id").asLong(), c.path("kind").asText(null), c.path("title").asText(null),
                Collections.unmodifiableList(members), c.path("last_seq").asLong(), c);
    }
}
