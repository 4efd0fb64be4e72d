package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's presence in one namespace, shaped like Socket.IO's server-side socket: event
 * handlers with acknowledgements, {@code emit}, rooms, per-socket data, disconnect reasons.
 *
 * <p>Threading: {@link #emit}, {@link #emitWithAck}, {@link #join}, {@link #leave},
 * {@link #disconnect} and the getters are safe from any thread. Event handlers, disconnect
 * listeners and ack callbacks run on {@link #eventLoop()} and must not block.
 *
 * <p>Limits: an emit before the connection is acknowledged (from a middleware) is held and sent
 * right after the CONNECT answer. Outbound bytes are capped per Engine.IO session.
 */
public final class SocketIoSocket {
    private static final Logger log = LoggerFactory.getLogger(SocketIoSocket.class);

    private final String id;
    private final String pid;
    private final SocketIoNamespace namespace;
    private final SocketIoConnection conn;
    private boolean readingPaused; // on the loop
    private final SocketIoHandshake handshake;
    private final boolean recovered;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> data = new ConcurrentHashMap<>();
    private final Map<String, List<EventHandler>> handlers = new ConcurrentHashMap<>();
    private final List<EventHandler> anyHandlers = new CopyOnWriteArrayList<>();
    private final List<DisconnectListener> disconnectListeners = new CopyOnWriteArrayList<>();

    // Guarded by this: packets emitted before the CONNECT answer went out.
    private List<EncodedPacket> early = new ArrayList<>();
    private volatile boolean connected;
    // Only on the event loop.
    private final Map<Long, CompletableFuture<List<JsonNode>>> pendingAcks = new HashMap<>();
    private long nextAckId;
    private long connectSeq;

    SocketIoSocket(String id, String pid, SocketIoNamespace namespace, SocketIoConnection conn,
                   SocketIoHandshake handshake, boolean recovered) {
        this.id = id;
        this.pid = pid;
        this.namespace = namespace;
        this.conn = conn;
        this.handshake = handshake;
        this.recovered = recovered;
    }

    /** The socket id (also a room this socket is always in). Kept across a recovery. */
    public String id() {
        return id;
    }

    /** The namespace this socket joined. */
    public SocketIoNamespace namespace() {
        return namespace;
    }

    /** What the client presented when it connected (auth, query, kept headers, address). */
    public SocketIoHandshake handshake() {
        return handshake;
    }

    /** Whether this connection restored a previous session (rooms, data, missed broadcasts). */
    public boolean recovered() {
        return recovered;
    }

    /** Free-form per-socket data, kept across a recovery. */
    public Map<String, Object> data() {
        return data;
    }

    /** Whether the socket is still in its namespace (false once disconnected for any reason). */
    public boolean isConnected() {
        return connected;
    }

    /** The event loop running this socket's handlers. */
    public EventLoop eventLoop() {
        return conn.session().eventLoop();
    }

    /** {@code "polling"} or {@code "websocket"}. */
    public String transport() {
        return conn.session().transportName();
    }

    /**
     * Outbound bytes waiting on this socket's connection (shared by its namespaces); the
     * connection closes as {@code transport buffer full} past
     * {@link dev.herald.socketio.engine.EngineIoConfig#maxBufferedBytes()}.
     * On {@link #eventLoop()}.
     */
    public long bufferedBytes() {
        return conn.session().bufferedBytes();
    }

    /**
     * Stops ({@code true}) or resumes reading this socket's connection, for backpressure: while
     * an application cannot take this client's events, the client is slowed down by TCP instead
     * of being refused. The connection is shared by the client's namespaces; it is read again
     * when every socket that paused it resumed. WebSocket only (a no-op on long-polling); pause
     * briefly, heartbeats are not read meanwhile. On {@link #eventLoop()}.
     */
    public void pauseReading(boolean pause) {
        if (pause != readingPaused) {
            readingPaused = pause;
            conn.session().pauseReading(pause);
        }
    }

    /** Rooms this socket is in (a snapshot). */
    public Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    /** Joins these rooms (rooms exist while they have members); safe from any thread. */
    public SocketIoSocket join(String... roomNames) {
        for (String r : roomNames) {
            if (rooms.add(r)) {
                namespace.addToRoom(this, r);
            }
        }
        return this;
    }

    /** Leaves this room; safe from any thread. */
    public SocketIoSocket leave(String room) {
        if (rooms.remove(room)) {
            namespace.removeFromRoom(this, room);
        }
        return this;
    }

    /** Registers a handler for an event; several handlers of one event all run, in order. */
    public SocketIoSocket on(String event, EventHandler handler) {
        handlers.computeIfAbsent(event, k -> new CopyOnWriteArrayList<>()).add(handler);
        return this;
    }

    /** Registers a handler for events that have no handler of their own. */
    public SocketIoSocket onAny(EventHandler handler) {
        anyHandlers.add(handler);
        return this;
    }

    /** Adds a listener told once, with the reason, when the socket leaves its namespace. */
    public SocketIoSocket onDisconnect(DisconnectListener listener) {
        disconnectListeners.add(listener);
        return this;
    }

    /** Broadcast from this socket: to the rooms' members except this socket. */
    public BroadcastOperator to(String... roomNames) {
        return namespace.to(roomNames).except(id);
    }

    /**
     * Sends an event to this client only ({@code byte[]} arguments become binary attachments).
     * With connection state recovery on, it goes through the namespace's recovery log like a
     * broadcast to this socket's own room (as Socket.IO does), so it carries an offset and is
     * replayed if the client misses it.
     */
    public void emit(String event, Object... args) {
        RecoveryLog log = namespace.recovery();
        if (connected && log != null) {
            // What namespace.to(id).emit does, without looking up the room this socket alone is in.
            ArrayNode data = eventArguments(event, args);
            sendEncoded(log.append(Set.of(id), Set.of(), seq -> {
                data.add(TextNode.valueOf(log.offset(seq)));
                SocketIoCodec.Encoded e = SocketIoCodec.encode(
                        new SocketIoPacket(SocketIoPacketType.EVENT, namespace.name(), null, data));
                return EncodedPacket.of(e.text(), e.attachments(), seq);
            }));
            return;
        }
        sendEncoded(encodeEvent(event, args, null));
    }

    /**
     * Sends an event encoded beforehand ({@link PreparedEvent}) to this client only: the same
     * packet as {@link #emit(String, Object...)} with the event's name and arguments, without
     * encoding the arguments again. Recovery as there.
     */
    public void emit(PreparedEvent event) {
        RecoveryLog log = namespace.recovery();
        if (connected && log != null) {
            sendEncoded(log.append(Set.of(id), Set.of(), seq -> EncodedPacket.of(
                    SocketIoCodec.event(namespace.name(), event, log.offset(seq)), List.of(), seq)));
            return;
        }
        sendEncoded(EncodedPacket.of(SocketIoCodec.event(namespace.name(), event, null), List.of()));
    }

    /**
     * Sends an event asking the client to acknowledge it; completes with the client's answer, or
     * exceptionally with {@link TimeoutException} after {@code timeout}, or with
     * {@link IllegalStateException} if the socket disconnects first.
     */
    public CompletableFuture<List<JsonNode>> emitWithAck(String event, Duration timeout, Object... args) {
        CompletableFuture<List<JsonNode>> f = new CompletableFuture<>();
        onLoop(() -> {
            if (!connected) {
                f.completeExceptionally(new IllegalStateException("socket " + id + " is disconnected"));
                return;
            }
            long ackId = ++nextAckId;
            pendingAcks.put(ackId, f);
            eventLoop().schedule(() -> {
                if (pendingAcks.remove(ackId) != null) {
                    f.completeExceptionally(new TimeoutException("no ack for '" + event + "' within " + timeout));
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            sendEncoded(encodeEvent(event, args, ackId));
        });
        return f;
    }

    /** Disconnects from this namespace; with {@code close}, closes the whole connection too. */
    public void disconnect(boolean close) {
        onLoop(() -> {
            if (!connected) {
                return;
            }
            conn.sendPacket(new SocketIoPacket(SocketIoPacketType.DISCONNECT, namespace.name(), null, null));
            onClose("server namespace disconnect");
            if (close) {
                conn.session().close();
            }
        });
    }

    /**
     * Closes the whole connection without a namespace DISCONNECT, like a dropped transport
     * (reason {@code forced close}): the client reconnects on its own and, with recovery on,
     * recovers this socket's state. For closes the client should simply retry (slow consumer,
     * shutdown), unlike {@link #disconnect}, after which Socket.IO clients stay disconnected.
     */
    public void closeConnection() {
        onLoop(() -> conn.session().close());
    }

    private EncodedPacket encodeEvent(String event, Object[] args, Long ackId) {
        SocketIoCodec.Encoded e = SocketIoCodec.encode(
                new SocketIoPacket(SocketIoPacketType.EVENT, namespace.name(), ackId, eventArguments(event, args)));
        return EncodedPacket.of(e.text(), e.attachments());
    }

    /** {@code [event, ...args]}; the event name must not be a reserved one. */
    static ArrayNode eventArguments(String event, Object[] args) {
        if (event == null || SocketIoCodec.RESERVED_EVENTS.contains(event)) {
            throw new IllegalArgumentException("event is reserved or null: " + event);
        }
        ArrayNode arr = JsonNodeFactory.instance.arrayNode(args.length + 2);
        arr.add(event);
        for (Object a : args) {
            arr.add(SocketIoCodec.toNode(a));
        }
        return arr;
    }

    void sendEncoded(EncodedPacket p) {
        if (!connected) {
            synchronized (this) {
                if (early != null) {
                    early.add(p);
                    return;
                }
            }
            if (!connected) {
                return;
            }
        }
        conn.send(p);
    }

    /**
     * Sends the CONNECT answer, then the replayed packets, then anything emitted meanwhile except
     * broadcasts the replay accounted for ({@code replayed} tests their sequence); on the loop.
     */
    void markConnected(long seqAtConnect, List<EncodedPacket> missed, LongPredicate replayed) {
        this.connectSeq = seqAtConnect;
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("sid", id);
        if (pid != null) {
            body.put("pid", pid);
        }
        conn.sendPacket(new SocketIoPacket(SocketIoPacketType.CONNECT, namespace.name(), null, body));
        missed.forEach(conn::send);
        List<EncodedPacket> held;
        synchronized (this) {
            held = early;
            early = null;
            connected = true;
        }
        for (EncodedPacket p : held) {
            if (p.seq() == 0 || !replayed.test(p.seq())) {
                conn.send(p);
            }
        }
    }

    void onEvent(SocketIoPacket p) {
        List<JsonNode> all = new ArrayList<>();
        p.data().forEach(all::add);
        String event = all.get(0).asText();
        List<JsonNode> args = List.copyOf(all.subList(1, all.size()));
        Ack ack = p.ackId() == null ? null : ackFor(p.ackId());
        List<EventHandler> hs = handlers.getOrDefault(event, anyHandlers);
        for (EventHandler h : hs) {
            try {
                h.onEvent(this, args, ack);
            } catch (RuntimeException e) {
                log.warn("socket.io handler for '{}' failed on socket {} in {}", event, id, namespace.name(), e);
            }
        }
    }

    private Ack ackFor(long ackId) {
        AtomicBoolean sent = new AtomicBoolean();
        return args -> {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            ArrayNode arr = JsonNodeFactory.instance.arrayNode();
            for (Object a : args) {
                arr.add(SocketIoCodec.toNode(a));
            }
            conn.sendPacket(new SocketIoPacket(SocketIoPacketType.ACK, namespace.name(), ackId, arr));
        };
    }

    void onAck(SocketIoPacket p) {
        CompletableFuture<List<JsonNode>> f = pendingAcks.remove(p.ackId());
        if (f != null) {
            List<JsonNode> args = new ArrayList<>();
            p.data().forEach(args::add);
            f.complete(List.copyOf(args));
        }
    }

    /** Leaves the namespace for {@code reason}; on the loop; idempotent. */
    void onClose(String reason) {
        if (!connected) {
            return;
        }
        connected = false;
        Set<String> roomsAtClose = rooms();
        conn.unregister(namespace.name(), this);
        namespace.removeSocket(this);
        RecoveryLog recovery = namespace.recovery();
        if (recovery != null && pid != null && !reason.endsWith("namespace disconnect")) {
            recovery.persist(new RecoveryLog.StoredSession(id, pid, roomsAtClose, Map.copyOf(data),
                    System.currentTimeMillis(), connectSeq));
        }
        IllegalStateException gone = new IllegalStateException("socket " + id + " disconnected: " + reason);
        pendingAcks.values().forEach(f -> f.completeExceptionally(gone));
        pendingAcks.clear();
        for (DisconnectListener l : disconnectListeners) {
            try {
                l.onDisconnect(this, reason);
            } catch (RuntimeException e) {
                log.warn("socket.io disconnect listener failed on socket {}", id, e);
            }
        }
    }

    private void onLoop(Runnable r) {
        if (eventLoop().inEventLoop()) {
            r.run();
        } else {
            eventLoop().execute(r);
        }
    }

    @Override
    public String toString() {
        return "SocketIoSocket[" + namespace.name() + " " + id + "]";
    }
}
