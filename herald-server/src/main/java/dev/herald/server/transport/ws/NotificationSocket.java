package dev.herald.server.transport.ws;

import dev.herald.server.stream.StreamState;
import dev.herald.server.auth.Principal;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.TransportContext;

import java.util.List;
import java.util.Map;

/**
 * The {@code /ws/notifications} endpoint: one connection follows one notification stream,
 * chosen and authorized by {@link StreamRequest}.
 */
public final class NotificationSocket {
    public static final String PATH = "/ws/notifications";

    private NotificationSocket() {
    }

    public static WsEndpoint endpoint(TransportContext context) {
        return new WsEndpoint(PATH, context, (principal, query) -> create(context, principal, query));
    }

    private static WsConnectionHandler create(TransportContext context, Principal principal,
                                              Map<String, List<String>> query) {
        StreamRequest request = StreamRequest.parse(principal, query, null);
        // One string for the user's stream, whichever of the connection, the hub and the caches holds it.
        String userStream = request.topic() == null ? request.stream() : principal.userStream();
        context.notifications().knowUser(userStream);
        StreamState userState = request.topic() == null ? null : context.notifications().state(userStream);
        return new WsNotificationHandler(context, principal, request.stream(), request.topic(), request.since(),
                request.filter(), userState);
    }
}
