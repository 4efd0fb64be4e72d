package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * The {@code /ws/notifications} socket: resumes from the last seq delivered, delivers each
 * notification once, in seq order, and keeps the inbox counts. Follows protocol.md's "What the
 * client does" and herald.js.
 */
final class NotificationLink extends SocketLink {
    final Listeners<TypedListener> listeners = new Listeners<>();
    private final InboxState inbox;
    /** The highest seq delivered (or the starting point), -1 before any; written only on the loop. */
    private volatile long lastSeq;
    private long sentSince = -1; // only on the loop: the since of the attempt in progress

    /** A notification listener with its client-side type pattern (null: every type). */
    record TypedListener(String pattern, NotificationListener listener) {
        boolean matches(String type) {
            return pattern == null || TypePatterns.matches(pattern, type);
        }
    }

    NotificationLink(ClientRuntime rt, InboxState inbox) {
        super(rt, Endpoint.NOTIFICATIONS);
        this.inbox = inbox;
        this.lastSeq = rt.config.since();
    }

    long lastSeq() {
        return lastSeq;
    }

    @Override
    HttpUrl url() {
        ClientConfig c = rt.config;
        HttpUrl.Builder url = rt.url("ws/notifications");
        if (c.streamType() != null) {
            url.addQueryParameter("type", c.streamType()).addQueryParameter("id", c.streamId());
        }
        if (!c.types().isEmpty()) {
            url.addQueryParameter("types", String.join(",", c.types()));
        }
        sentSince = lastSeq;
        if (sentSince >= 0) {
            url.addQueryParameter("since", Long.toString(sentSince));
        }
        return url.build();
    }

    @Override
    void onFrame(String type, JsonNode frame) {
        switch (type) {
            case "connected" -> {
                inbox.update(frame, "unread_count");
                long seq = frame.path("seq").asLong();
                if (lastSeq < 0) {
                    lastSeq = seq; // nothing to resume: history before it is the inbox's
                }
                JsonNode since = frame.path("since");
                if (since.isNumber() && since.asLong() < lastSeq) {
                    lastSeq = since.asLong(); // the server's stream is shorter than our cursor (its data was reset)
                }
                established(new Connected(endpoint, frame.path("connection_id").asText(null), frame.path("user_id").asText(null),
                        frame.path("stream").asText(null), seq, frame), sentSince >= 0 ? sentSince : null);
            }
            case "unread_count" -> inbox.update(frame, "count");
            case "inbox" -> {
                InboxCounts counts = inbox.update(frame, "unread_count");
                List<String> ids = new ArrayList<>();
                frame.path("ids").forEach(id -> ids.add(id.asText()));
                inbox.changed(new InboxChange(frame.path("action").asText(), java.util.Collections.unmodifiableList(ids), counts));
            }
            case "error" -> {
                HeraldException e = HeraldException.ofErrorFrame(frame.path("code").asText(null), frame.path("message").asText(""), null);
                rt.connectionEvent(l -> l.onError(endpoint, e));
            }
            case "pong", "closing" -> {
            }
            default -> deliver(frame);
        }
    }

    private void deliver(JsonNode frame) {
        JsonNode seqNode = frame.path("seq");
        if (!seqNode.isIntegralNumber()) {
            return;
        }
        long seq = seqNode.asLong();
        if (lastSeq >= 0 && seq <= lastSeq) {
            return; // already delivered: a resume replays from our cursor
        }
        lastSeq = seq;
        Notification n = Notification.of(frame);
        rt.events.post(() -> listeners.each(l -> {
            if (l.matches(n.type())) {
                l.listener().onNotification(n);
            }
        }));
    }
}
