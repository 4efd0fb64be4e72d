package dev.herald.server.transport.ws;

import dev.herald.server.auth.Principal;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.ApiException;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;

/**
 * The {@code /ws/notifications} endpoint: which stream a connection may follow.
 *
 * <ul>
 *   <li>no {@code type}, or {@code type=user} without id: the user's own stream;</li>
 *   <li>{@code type=user&id=X}: only when X is the token's {@code sub};</li>
 *   <li>{@code type=T&id=B}: the topic {@code T:B}, only when the token's {@code topics} claim
 *       grants it (e.g. {@code branch:7}).</li>
 * </ul>
 * Plus {@code since=SEQ} to resume and {@code types=a,b_*} to filter.
 */
public final class NotificationSocket {
    public static final String PATH = "/ws/notifications";

    private NotificationSocket() {
    }

    public static WsEndpoint endpoint(TransportContext context) {
        return new WsEndpoint(PATH, context, (principal, uri) -> create(context, principal, uri));
    }

    private static WsConnectionHandler create(TransportContext context, Principal principal, QueryStringDecoder uri) {
        Map<String, List<String>> q = uri.parameters();
        String topic = topicOf(principal, first(q, "type"), first(q, "id"));
        long since = since(first(q, "since"));
        TypeFilter filter;
        try {
            filter = TypeFilter.parse(first(q, "types"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String userStream = principal.userStream();
        context.notifications().knowUser(userStream);
        long userUnread = topic == null ? 0 : context.notifications().state(userStream).unread();
        String stream = topic == null ? userStream : topic;
        return new WsNotificationHandler(context, principal, stream, topic, since, filter, userUnread);
    }

    /**
     * The topic a connection asks for, or null for the user's own stream.
     *
     * @throws ApiException 403 when the token does not allow it, 400 when malformed
     */
    static String topicOf(Principal principal, String type, String id) {
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
        String topic = type + ":" + id;
        if (!principal.mayRead(topic)) {
            throw ApiException.forbidden("the token does not grant topic " + topic);
        }
        return topic;
    }

    static long since(String raw) {
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
