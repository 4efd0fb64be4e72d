package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Herald's answer to a publish, after the commit.
 *
 * @param count          notifications stored
 * @param replayed       true when the key was seen before: nothing new was stored, this is the first answer
 * @param ids            the stored notifications' ids (empty for {@code toEveryone})
 * @param muted          target users whose preferences kept it out of their inbox
 * @param idempotencyKey the key sent (the caller's, or the one HeraldAdmin made up)
 * @param raw            the whole answer
 */
public record PublishResult(int count, boolean replayed, List<String> ids, List<String> muted, String idempotencyKey, JsonNode raw) {
    static PublishResult of(JsonNode answer, String key) {
        List<String> ids = new java.util.ArrayList<>();
        answer.path("ids").forEach(i -> ids.add(i.asText()));
        List<String> muted = new java.util.ArrayList<>();
        answer.path("muted").forEach(m -> muted.add(m.asText()));
        return new PublishResult(answer.path("count").asInt(), answer.path("replayed").asBoolean(),
                java.util.Collections.unmodifiableList(ids), java.util.Collections.unmodifiableList(muted), key, answer);
    }
}
