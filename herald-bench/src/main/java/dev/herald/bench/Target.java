package dev.herald.bench;

import java.util.List;

/**
 * The three servers the benchmark drives with the same load, and how each is addressed: the
 * WebSocket path a client opens, and the HTTP request an app backend sends to publish.
 * Immutable and thread-safe.
 */
enum Target {
    /** Herald's plain WebSocket protocols ({@code /ws/notifications}, {@code /ws/chat}) and its HTTP API. */
    HERALD("herald", "Herald"),
    /** The Socket.IO 4 reference app in peers/socketio. */
    SOCKETIO("socketio", "Socket.IO"),
    /** {@link BroadcastServer}: the write-coalescing limit of this machine. */
    NETTY("netty", "bare Netty");

    /**
     * Where a client connects: its user, the room (Herald: topic {@code branch:<room>}) or none,
     * the resume point (-1: none), and for Herald's chat the conversation it joins on
     * {@code /ws/chat} (-1: not a chat client).
     */
    record Subscription(String user, String room, long since, long conversation) {
        Subscription(String user, String room, long since) {
            this(user, room, since, -1);
        }
    }

    /** Herald's batch publish: {@code {"publishes": [publishBody, ...]}}. */
    static final String HERALD_BATCH_PATH = "/api/v1/notifications/batch";

    final String id;
    final String label;

    Target(String id, String label) {
        this.id = id;
        this.label = label;
    }

    static Target of(String id) {
        for (Target t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown target '" + id + "' (herald, socketio, netty)");
    }

    /** Path and query of the WebSocket a client with {@code sub} opens; {@code jwt} signs Herald tokens. */
    String wsPath(Subscription sub, Jwt jwt) {
        return switch (this) {
            case HERALD -> {
                if (sub.conversation() >= 0) {
                    yield "/ws/chat?access_token=" + jwt.userToken(sub.user(), List.of());
                }
                String token = jwt.userToken(sub.user(), List.of("branch:bench", "branch:storm"));
                StringBuilder p = new StringBuilder("/ws/notifications?access_token=").append(token);
                if (sub.room() != null) {
                    p.append("&type=branch&id=").append(sub.room());
                }
                if (sub.since() >= 0) {
                    p.append("&since=").append(sub.since());
                }
                yield p.toString();
            }
            case SOCKETIO -> "/socket.io/?EIO=4&transport=websocket&user=" + sub.user()
                    + (sub.room() != null ? "&room=" + sub.room() : "");
            case NETTY -> "/ws?user=" + sub.user() + (sub.room() != null ? "&room=" + sub.room() : "");
        };
    }

    /** Path of the publish request to a room ({@code user == null}) or to one user. */
    String publishPath(String room, String user) {
        return switch (this) {
            case HERALD -> "/api/v1/notifications";
            case SOCKETIO, NETTY -> "/publish?room=" + (user != null ? "user:" + user : room);
        };
    }

    /** Body of the publish request carrying {@code payload} (a JSON object: t, i, p). */
    String publishBody(String room, String user, String payload) {
        if (this != HERALD) {
            return payload;
        }
        String to = user != null ? "{\"user\":\"" + user + "\"}" : "{\"topic\":\"branch:" + room + "\"}";
        // The notification's type goes first, as an app would write it; the rest is the payload.
        return "{\"to\":" + to + ",\"notification\":{\"type\":\"bench\"," + payload.substring(1) + "}";
    }

    /**
     * The chat frame a Socket.IO or bare Netty client sends to user {@code to}; Herald's chat
     * goes to a conversation instead ({@link HeraldChatFrames#sendMessage}).
     */
    String chatFrame(String to, String payload) {
        if (this == HERALD) {
            throw new IllegalStateException("Herald chat messages go to a conversation: HeraldChatFrames.sendMessage");
        }
        String body = "{\"to\":\"" + to + "\"," + payload.substring(1);
        return this == SOCKETIO ? SocketIoPackets.event("chat", body) : body;
    }
}
