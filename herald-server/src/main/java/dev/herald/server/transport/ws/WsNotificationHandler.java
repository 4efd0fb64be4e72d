package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.stream.StreamState;
import dev.herald.server.transport.TransportContext;

/**
 * A {@code /ws/notifications} connection: follows one stream (the user's own, or a topic the
 * token grants), sends {@code connected} first, then replayed and live notifications.
 *
 * <p>Client frames besides ping/refresh: {@code mark_read {id}} and {@code mark_all_read}; the
 * new unread count then reaches all of the user's connections as {@code unread_count}.
 */
final class WsNotificationHandler extends WsConnectionHandler {
    private final String stream;
    private final String topic; // null for the user's own stream
    private final long since;
    private final TypeFilter filter;
    private final StreamState userState; // for topic streams: the user's own counts at connect; else null
    private StreamSubscription subscription; // only on the loop

    WsNotificationHandler(TransportContext context, Principal principal, String stream, String topic, long since,
                          TypeFilter filter, StreamState userState) {
        super(context, principal);
        this.stream = stream;
        this.topic = topic;
        this.since = since;
        this.filter = filter;
        this.userState = userState;
    }

    @Override
    protected void onOpen() {
        subscription = context.hub().subscribe(session, stream, since, filter, this::connected);
    }

    private void connected(StreamState state) {
        ObjectNode frame = context.json().createObjectNode()
                .put("type", "connected")
                .put("connection_id", session.id())
                .put("user_id", principal.userId())
                .put("stream", stream)
                .put("seq", state.lastSeq())
                .put("unread_count", topic == null ? state.unread() : userState.unread())
                .put("unseen_count", topic == null ? state.unseen() : userState.unseen());
        if (since >= 0) {
            frame.put("since", Math.min(since, state.lastSeq()));
        }
        sendNow(frame);
        ready();
    }

    @Override
    protected void onFrame(String type, ObjectNode frame) {
        String userStream = principal.userStream();
        switch (type) {
            case "mark_read" -> {
                JsonNode id = frame.get("id");
                if (id == null || !id.isTextual()) {
                    sendError("invalid_frame", "mark_read needs the notification's \"id\"");
                    return;
                }
                context.blocking().execute(() -> {
                    try {
                        boolean found = context.notifications().markRead(userStream, id.asText()).isPresent();
                        if (!found) {
                            ctx.executor().execute(() -> sendError("not_found", "no notification " + id.asText()));
                        }
                    } catch (RuntimeException e) {
                        ctx.executor().execute(() -> sendError("unavailable", "could not mark read; retry later"));
                    }
                });
            }
            case "mark_all_read" -> context.blocking().execute(() -> {
                try {
                    context.notifications().markAllRead(userStream);
                } catch (RuntimeException e) {
                    ctx.executor().execute(() -> sendError("unavailable", "could not mark read; retry later"));
                }
            });
            default -> sendError("unknown_type", "unknown frame type '" + type
                    + "'; this endpoint accepts ping, refresh, mark_read, mark_all_read");
        }
    }

    @Override
    protected boolean stillAllowed(Principal refreshed) {
        return topic == null || refreshed.mayRead(topic);
    }

    @Override
    protected void onWritable() {
        if (subscription != null) {
            context.hub().writable(subscription);
        }
    }

    @Override
    protected void onClosed() {
        if (subscription != null) {
            context.hub().unsubscribe(subscription);
        }
    }
}
