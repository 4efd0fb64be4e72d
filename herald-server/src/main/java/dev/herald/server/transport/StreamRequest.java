package dev.herald.server.transport;

import dev.herald.server.auth.Principal;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.stream.Streams;

import java.util.List;
import java.util.Map;

/**
 * Which notification stream a client connection asks for, from its query parameters, and
 * whether its token allows it. Shared by every transport that follows a notification stream
 * (plain WebSocket, SSE), so the rules are written once:
 *
 * <ul>
 *   <li>no {@code type}, or {@code type=user} without id: the user's own stream;</li>
 *   <li>{@code type=user&id=X}: only when X is the token's {@code sub};</li>
 *   <li>{@code type=T&id=B}: the topic {@code T:B}, only when the token's {@code topics} claim
 *       grants it (e.g. {@code branch:7});</li>
 *   <li>{@code since=SEQ} to resume, {@code types=a,b_*} to filter.</li>
 * </ul>
 *
 * @param stream the stream key to follow
 * @param topic  the topic, or null for the user's own stream
 * @param since  resume after this seq; -1 for live events only
 */
public record StreamRequest(String stream, String topic, long since, TypeFilter filter) {

    /**
     * @param lastEventId an SSE {@code Last-Event-ID} header, which wins over {@code since}; or null
     * @throws ApiException 400 for malformed parameters, 403 for a stream the token does not grant
     */
    public static StreamRequest parse(Principal principal, Map<String, List<String>> query, String lastEventId) {
        String topic = topicOf(principal, first(query, "type"), first(query, "id"));
        long since = lastEventId != null && !lastEventId.isBlank() ? since(lastEventId.strip()) : since(first(query, "since"));
        TypeFilter filter;
        try {
            filter = TypeFilter.parse(first(query, "types"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return new StreamRequest(topic == null ? principal.userStream() : topic, topic, since, filter);
    }

    /** The topic a connection asks for, or null for the user's own stream. */
    public static String topicOf(Principal principal, String type, String id) {
        if (type == null || type.isEmpty()) {
            if (id != null && !id.isEmpty()) {
                throw ApiException.badRequest("id given without type");
            }
            return null;
        }
        if (!type.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw ApiException.badRequest("type: letters, digits, _ . - only");
        }
        if (type.equals("user")) {
            if (id != null && !id.isEmpty() && !id.equals(principal.userId())) {
                throw ApiException.forbidden("type=user&id=" + id + " is not the token's user");
            }
            return null;
        }
        if (id == null || id.isEmpty()) {
            throw ApiException.badRequest("type=" + type + " needs an id");
        }
        String topic = Streams.topic(type, id);
        if (!principal.mayRead(topic)) {
            throw ApiException.forbidden("the token does not grant topic " + topic);
        }
        return topic;
    }

    /** A resume point: null or empty for none (-1). */
    public static long since(String raw) {
        if (raw == null || raw.isEmpty()) {
            return -1;
        }
        try {
            long v = Long.parseLong(raw);
            if (v < 0) {
                throw ApiException.badRequest("since: must be a seq >= 0");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("since: must be a seq >= 0");
        }
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
