package dev.herald.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading the fields of a client's chat request, whatever the transport (a /ws/chat frame, a
 * Socket.IO event payload), with the same refusals: a {@link ChatException} naming the field.
 * Pure functions.
 */
public final class ChatFields {
    private ChatFields() {
    }

    /** A required non-negative integer; numeric strings are accepted (ids often travel as text). */
    public static long number(ObjectNode payload, String field) {
        JsonNode v = payload.get(field);
        if (v == null || v.isNull()) {
            throw ChatException.invalid(field, "required");
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v.isTextual() && v.asText().matches("[0-9]{1,18}")) {
            return Long.parseLong(v.asText());
        }
        throw ChatException.invalid(field, "must be a number >= 0");
    }

    /** A required integer >= 1, such as a conversation id. */
    public static long positive(ObjectNode payload, String field) {
        long v = number(payload, field);
        if (v < 1) {
            throw ChatException.invalid(field, "must be a number >= 1");
        }
        return v;
    }
}
