package dev.herald.server.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatConnection;
import dev.herald.server.config.RelayRule;
import dev.herald.server.config.SocketIoSettings;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.Session;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.Streams;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.transport.TransportContext;
import dev.herald.socketio.PreparedEvent;
import dev.herald.socketio.SocketIoSocket;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Socket.IO socket as a Herald {@link Session}: registered in the session registry (presence
 * sees it), following the user's notification stream and chat streams through the delivery core,
 * emitting what arrives as Socket.IO events ({@link EventMapping}). Client events are handled by
 * {@link SocketEvents}.
 *
 * <h2>Recovery without gap or duplicate</h2>
 * Every event goes out through Socket.IO's recovery log (the layer's {@code emit} with recovery
 * on), and the seq of the last notification (and of each joined conversation's last message)
 * emitted is kept in the socket's {@code data()}, updated on the loop in the same step. When the
 * socket closes, the layer stores {@code data()} with the log position; a recovering client is
 * replayed everything the log holds for it, and this class resumes the streams right after the
 * kept seqs: the store supplies exactly what the log does not.
 *
 * <h2>Threading</h2>
 * Confined to the socket's event loop, like every {@link Session}.
 */
final class HeraldSocket implements Session {
    private static final Logger log = LoggerFactory.getLogger(HeraldSocket.class);
    static final String CURSOR = "herald.cursor";
    static final String CONVERSATION = "herald.conv.";
    private static final AtomicLong SEQ = new AtomicLong();
    private static final long WRITABLE_POLL_MS = 20;

    final SocketIoSocket socket;
    final Principal principal;
    final TransportContext context;
    final SocketIoSettings settings;
    private final String id;
    private final long writableBelow;
    /** {@link #prepareNotification}, as the function a stream event caches the result of. */
    private final Function<byte[], Prepared> preparer = this::prepareNotification;
    /** {@link #prepareCounts}, likewise. */
    private final Function<byte[], Prepared> countsPreparer = this::prepareCounts;

    // All below: only on the loop.
    ChatConnection chat;
    private StreamSubscription notifications;
    private boolean closed;
    private boolean flushPending;
    private ScheduledFuture<?> writablePoll;
    private ScheduledFuture<?> expiry;

    HeraldSocket(SocketIoSocket socket, Principal principal, TransportContext context, SocketIoSettings settings,
                 long maxBufferedBytes) {
        this.socket = socket;
        this.principal = principal;
        this.context = context;
        this.settings = settings;
        this.id = "sio-" + socket.id() + "-" + SEQ.incrementAndGet();
        // Half the layer's cap: the core closes a slow consumer (which then recovers) before the
        // layer has to drop the connection for a full buffer.
        this.writableBelow = maxBufferedBytes / 2;
    }

    /** Registers the session and subscribes its streams; on the loop, from the connection handler. */
    void start(SocketEvents events) {
        context.sessions().add(this);
        context.metrics().connectionOpened();
        for (String topic : principal.topics()) {
            socket.join(RelayRule.room(topic));
        }
        long since = resumePoint();
        notifications = context.hub().subscribe(this, principal.userStream(), since, TypeFilter.ALL, st -> {
            // The stream position before any delivery: a socket that drops before its first
            // notification still resumes from here, not from "now", after a recovery.
            socket.data().put(CURSOR, since < 0 ? st.lastSeq() : Math.min(since, st.lastSeq()));
            socket.emit("unreadCount", st.unread());
            socket.emit("unseenCount", st.unseen());
        });
        chat = new ChatConnection(events.chatService(), context.hub(), this, context.blocking(), new ChatConnection.Reads() {
            private long pausedAt; // on the loop

            @Override
            public void pause() {
                socket.pauseReading(true); // WebSocket only; on long-polling sends are just held
                pausedAt = System.nanoTime();
            }

            @Override
            public void resume() {
                socket.pauseReading(false);
                if (pausedAt != 0) {
                    events.resumedAfter(System.nanoTime() - pausedAt); // the backlog is no flood
                    pausedAt = 0;
                }
            }
        });
        chat.open(() -> { });
        events.register();
        if (socket.recovered()) {
            for (Map.Entry<String, Object> e : socket.data().entrySet()) {
                if (e.getKey().startsWith(CONVERSATION) && e.getValue() instanceof Long seq) {
                    events.rejoin(Long.parseLong(e.getKey().substring(CONVERSATION.length())), seq);
                }
            }
        }
        socket.onDisconnect((s, reason) -> closed(reason));
        scheduleExpiry();
        log.info("socket.io connected session={} user={} transport={} recovered={}", id, principal.userId(),
                socket.transport(), socket.recovered());
    }

    /** After a recovery, the last notification emitted; else {@code auth.since}; else live only. */
    private long resumePoint() {
        if (socket.recovered() && socket.data().get(CURSOR) instanceof Long cursor) {
            return cursor;
        }
        JsonNode since = socket.handshake().auth().get("since");
        if (since != null && since.canConvertToLong() && since.asLong() >= 0) {
            return since.asLong();
        }
        if (since != null && since.isTextual() && since.asText().matches("[0-9]{1,18}")) {
            return Long.parseLong(since.asText());
        }
        return -1;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String userId() {
        return principal.userId();
    }

    @Override
    public EventLoop eventLoop() {
        return socket.eventLoop();
    }

    @Override
    public boolean isOpen() {
        return !closed && socket.isConnected();
    }

    @Override
    public boolean isWritable() {
        if (socket.bufferedBytes() < writableBelow) {
            return true;
        }
        // The layer has no writability event: poll until it drains, then wake the subscriptions.
        if (writablePoll == null && !closed) {
            writablePoll = eventLoop().scheduleAtFixedRate(this::checkWritable, WRITABLE_POLL_MS, WRITABLE_POLL_MS,
                    TimeUnit.MILLISECONDS);
        }
        return false;
    }

    private void checkWritable() {
        if (closed || socket.bufferedBytes() < writableBelow) {
            writablePoll.cancel(false);
            writablePoll = null;
            if (!closed) {
                context.hub().writable(notifications);
                chat.writable();
            }
        }
    }

    @Override
    public void deliver(StreamEvent event) {
        if (closed) {
            return;
        }
        context.metrics().frameOut();
        String stream = event.stream();
        if (stream.equals(principal.userStream())) {
            if (event.isSequenced()) {
                // Encoded once per event (the notification's JSON as it was stored, no parse) and
                // shared by every socket, which adds only its recovery offset to the packet.
                for (PreparedEvent prepared : event.asValue(Prepared.class, preparer).events()) {
                    socket.emit(prepared);
                }
                socket.data().put(CURSOR, event.seq());
            } else if ("unread_count".equals(event.type())) {
                // One unread_count event per notification, shared by the user's sockets: encoded once.
                for (PreparedEvent prepared : event.asValue(Prepared.class, countsPreparer).events()) {
                    socket.emit(prepared);
                }
            } else if ("inbox".equals(event.type())) {
                socket.emit("inbox", parse(event));
            }
            return;
        }
        if (!(parse(event) instanceof ObjectNode frame)) {
            return;
        }
        EventMapping.Mapped m = EventMapping.chat(stream, frame);
        if (m != null) {
            socket.emit(m.event(), m.payload());
        }
        long conversationId = Streams.conversationId(stream);
        if (event.isSequenced() && conversationId >= 0) {
            socket.data().put(CONVERSATION + conversationId, event.seq());
        }
    }

    /**
     * What one stream event becomes on Socket.IO, encoded once for every socket of the node that
     * receives it ({@link StreamEvent#asValue}).
     */
    private record Prepared(List<PreparedEvent> events) {
    }

    /** A notification: under each of the configured event names, its JSON as stored (no parse). */
    private Prepared prepareNotification(byte[] json) {
        JsonNode raw = JsonNodeFactory.instance.rawValueNode(new RawValue(new String(json, StandardCharsets.UTF_8)));
        List<PreparedEvent> events = new ArrayList<>();
        for (String name : settings.notificationEvents()) {
            events.add(PreparedEvent.of(name, raw));
        }
        return new Prepared(List.copyOf(events));
    }

    /**
     * An {@code unread_count} frame: {@code unreadCount}, then {@code unseenCount} when the frame
     * has it (a frame relayed from a node of the release before does not).
     */
    private Prepared prepareCounts(byte[] json) {
        JsonNode frame = parse(json);
        List<PreparedEvent> events = new ArrayList<>(2);
        events.add(PreparedEvent.of("unreadCount", LongNode.valueOf(frame.path("count").asLong())));
        if (frame.has("unseen_count")) {
            events.add(PreparedEvent.of("unseenCount", LongNode.valueOf(frame.path("unseen_count").asLong())));
        }
        return new Prepared(List.copyOf(events));
    }

    private JsonNode parse(StreamEvent event) {
        return parse(event.json());
    }

    private JsonNode parse(byte[] json) {
        try {
            return context.json().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("stream event is not JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void flush() {
        // The layer flushes each connection once per event-loop pass by itself.
        flushPending = false;
    }

    @Override
    public boolean markFlushPending() {
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    /**
     * Closes for a core reason. Reasons after which the client should just come back (slow
     * consumer, shutdown, idle) drop the connection as a transport close, so the client
     * reconnects and recovers; the others say why in an {@code error} event and disconnect the
     * namespace, after which Socket.IO clients stay disconnected.
     */
    @Override
    public void close(CloseReason reason) {
        if (closed) {
            return;
        }
        log.info("socket.io closing session={} user={} reason={}", id, principal.userId(), reason);
        switch (reason) {
            case SLOW_CONSUMER, SHUTDOWN, IDLE_TIMEOUT -> socket.closeConnection();
            default -> {
                socket.emit("error", context.json().createObjectNode()
                        .put("code", reason.name().toLowerCase(java.util.Locale.ROOT)).put("message", reason.text()));
                socket.disconnect(true);
            }
        }
    }

    private void scheduleExpiry() {
        if (principal.expiresAt() == null) {
            return;
        }
        long delay = Math.max(0, principal.expiresAt().toEpochMilli() - System.currentTimeMillis());
        expiry = eventLoop().schedule(() -> close(CloseReason.TOKEN_EXPIRED), delay, TimeUnit.MILLISECONDS);
    }

    private void closed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (writablePoll != null) {
            writablePoll.cancel(false);
            writablePoll = null;
        }
        context.sessions().remove(this);
        context.metrics().connectionClosed();
        if (notifications != null) {
            context.hub().unsubscribe(notifications);
        }
        if (chat != null) {
            chat.closed();
        }
        log.info("socket.io disconnected session={} user={} reason={}", id, principal.userId(), reason);
    }

    @Override
    public String toString() {
        return "HeraldSocket[" + id + " user=" + principal.userId() + "]";
    }
}
