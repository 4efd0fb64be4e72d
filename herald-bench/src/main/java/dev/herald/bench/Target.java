package dev.herald.bench;

import java.util.List;

/**
 * The servers the benchmark drives with the same load, and how each is addressed: the
 * WebSocket path a client opens (and for Socket.IO the CONNECT packet it sends), and the HTTP
 * request an app backend sends to publish. Immutable and thread-safe.
 */
enum Target {
    /** Herald's plain WebSocket protocols ({@code /ws/notifications}, {@code /ws/chat}) and its HTTP API. */
    HERALD("herald", "Herald"),
    /**
     * The same Herald server, its clients on its Socket.IO endpoint ({@code /socket.io/}, Engine.IO 4
     * over WebSocket), authenticated by {@code auth.token} in the CONNECT packet. Herald's Socket.IO
     * sockets follow their user's notification stream only (no topic subscriptions,
     * docs/socketio.md), so a room is one user, {@link #roomUser}, with one socket per member,
     * and a room publish goes to that user: one stored notification, one stream, N sockets, as a
     * topic publish is for {@link #HERALD}.
     */
    HERALD_SIO("herald-sio", "Herald Socket.IO"),
    /** The Socket.IO 4 reference app in peers/socketio. */
    SOCKETIO("socketio", "Socket.IO"),
    /** {@link BroadcastServer}: the write-coalescing limit of this machine. */
    NETTY("netty", "bare Netty");

    /**
     * Where a client connects: its user, the room (Herald: topic {@code branch:<room>}) or none,
     * the resume point (-1: none), and for Herald's chat the conversation it joins ({@code join}
     * on {@code /ws/chat}, {@code joinConversation} over Socket.IO; -1: not a chat client).
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
        throw new IllegalArgumentException("unknown target '" + id + "' (herald, herald-sio, socketio, netty)");
    }

    /** Whether the server is Herald: publishes through its API, seqs, resume, conversations, batches. */
    boolean herald() {
        return this == HERALD || this == HERALD_SIO;
    }

    /** {@link #HERALD_SIO}: the user whose sockets make up {@code room}. */
    static String roomUser(String room) {
        return "room." + room;
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
            case HERALD_SIO -> "/socket.io/?EIO=4&transport=websocket";
            case SOCKETIO -> "/socket.io/?EIO=4&transport=websocket&user=" + sub.user()
                    + (sub.room() != null ? "&room=" + sub.room() : "");
            case NETTY -> "/ws?user=" + sub.user() + (sub.room() != null ? "&room=" + sub.room() : "");
        };
    }

    /**
     * The Socket.IO CONNECT packet a client sends after the Engine.IO open, or null for the
     * targets that do not speak Socket.IO. {@link #HERALD_SIO}: {@code auth.token} for the
     * client's user (or its room's, {@link #roomUser}), and {@code auth.since} when it resumes.
     */
    String connectPacket(Subscription sub, Jwt jwt) {
        return switch (this) {
            case SOCKETIO -> SocketIoPackets.CONNECT;
            case HERALD_SIO -> {
                String user = sub.room() != null ? roomUser(sub.room()) : sub.user();
                String auth = "{\"token\":\"" + jwt.userToken(user, List.of()) + "\""
                        + (sub.since() >= 0 ? ",\"since\":" + sub.since() : "") + "}";
                yield SocketIoPackets.connect(auth);
            }
            case HERALD, NETTY -> null;
        };
    }

    /** Path of the publish request to a room ({@code user == null}) or to one user. */
    String publishPath(String room, String user) {
        return switch (this) {
            case HERALD, HERALD_SIO -> "/api/v1/notifications";
            case SOCKETIO, NETTY -> "/publish?room=" + (user != null ? "user:" + user : room);
        };
    }

    /** Body of the publish request carrying {@code payload} (a JSON object: t, i, p). */
    String publishBody(String room, String user, String payload) {
        if (!herald()) {
            return payload;
        }
        String to = user != null ? "{\"user\":\"" + user + "\"}"
                : this == HERALD_SIO ? "{\"user\":\"" + roomUser(room) + "\"}"
                : "{\"topic\":\"branch:" + room + "\"}";
        // The notification's type goes first, as an app would write it; the rest is the payload.
        return "{\"to\":" + to + ",\"notification\":{\"type\":\"bench\"," + payload.substring(1) + "}";
    }

    /**
     * The chat frame a Socket.IO or bare Netty client sends to user {@code to}; Herald's chat
     * goes to a conversation instead ({@link BenchClient#sendChat}).
     */
    String chatFrame(String to, String payload) {
        if (herald()) {
            throw new IllegalStateException("Herald chat messages go to a conversation: BenchClient.sendChat");
        }
        String body = "{\"to\":\"" + to + "\"," + payload.substring(1);
        return this == SOCKETIO ? SocketIoPackets.event("chat", body) : body;
    }
}
