package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One notification as Herald delivered it: the app's object with Herald's {@code id},
 * {@code seq} and {@code created_at}.
 *
 * @param type      the app's type ({@code order_created})
 * @param id        Herald's id, for {@link Inbox#markRead(String)}
 * @param seq       its position in the stream; the client's resume cursor
 * @param createdAt commit time, ISO-8601 UTC
 * @param data      the whole object, the app's fields included (a read-only view: do not modify it)
 */
public record Notification(String type, String id, long seq, String createdAt, JsonNode data) {
    /** An app field, e.g. {@code get("order_id").asLong()}; a missing node when absent. */
    public JsonNode get(String field) {
        return data.path(field);
    }

    static Notification of(JsonNode frame) {
        return new Notification(frame.path("type").asText(), frame.path("id").asText(null), frame.path("seq").asLong(),
                frame.path("created_at").asText(null), frame);
    }
}
