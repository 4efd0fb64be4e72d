package dev.herald.server.transport.ws;

import dev.herald.server.auth.Principal;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.TransportContext;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The {@code /ws/notifications} endpoint: one connection follows one notification stream,
 * chosen and authorized by {@link StreamRequest}.
 */
public final class NotificationSocket {
    public static final String PATH = "/ws/notifications";

    private NotificationSocket() {
    }

    public static WsEndpoint endpoint(TransportContext context) {
        return new WsEndpoint(PATH, context, (principal, uri) -> create(context, principal, uri));
    }

    private static WsConnectionHandler create(TransportContext context, Principal principal, QueryStringDecoder uri) {
        StreamRequest request = StreamRequest.parse(principal, uri.parameters(), null);
        // One string for the user's stream, whichever of the connection, the hub and the caches holds it.
        String userStream = request.topic() == null ? request.stream() : principal.userStream();
        context.notifications().knowUser(userStream);
        long userUnread = request.topic() == null ? 0 : context.notifications().state(userStream).unread();
        return new WsNotificationHandler(context, principal, request.stream(), request.topic(), request.since(),
                request.filter(), userUnread);
    }
}
