package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.socketio.engine.EngineHandshake;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Socket.IO namespace: its connect middlewares, connection handlers, connected sockets and
 * rooms. Created with {@link SocketIoServer#of(String)}; clients asking for any other namespace get
 * CONNECT_ERROR {@code {"message":"Invalid namespace"}}.
 *
 * <p>Threading: registration methods, {@link #to}, {@link #emit} and the queries are safe from any
 * thread (concurrent maps, copy-on-write lists). Middlewares and connection handlers run on the
 * connecting client's event loop and must not block.
 */
public final class SocketIoNamespace {
    private static final Logger log = LoggerFactory.getLogger(SocketIoNamespace.class);

    private final String name;
    private final SocketIoServer server;
    private final RecoveryLog recovery;
    private final List<ConnectMiddleware> middlewares = new CopyOnWriteArrayList<>();
    private final List<Consumer<SocketIoSocket>> connectionHandlers = new CopyOnWriteArrayList<>();
    private final Map<String, SocketIoSocket> sockets = new ConcurrentHashMap<>();
    private final Map<String, Set<SocketIoSocket>> rooms = new ConcurrentHashMap<>();

    SocketIoNamespace(String name, SocketIoServer server) {
        this.name = name;
        this.server = server;
        this.recovery = server.config().recovery() ? new RecoveryLog(server.config(), System::currentTimeMillis)
                : null;
    }

    /** The namespace's name, starting with {@code /}. */
    public String name() {
        return name;
    }

    /** Adds a connect middleware (auth); they run in registration order. */
    public SocketIoNamespace use(ConnectMiddleware middleware) {
        middlewares.add(java.util.Objects.requireNonNull(middleware, "middleware"));
        return this;
    }

    /** Adds a handler told of each newly connected socket (register its event handlers there). */
    public SocketIoNamespace onConnection(Consumer<SocketIoSocket> handler) {
        connectionHandlers.add(java.util.Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /** Broadcast to the members of these rooms. */
    public BroadcastOperator to(String... roomNames) {
        return new BroadcastOperator(this, Set.of(roomNames), Set.of());
    }

    /** Broadcast to every socket except members of these rooms. */
    public BroadcastOperator except(String... roomNames) {
        return new BroadcastOperator(this, Set.of(), Set.of(roomNames));
    }

    /** Sends an event to every socket of the namespace; returns how many. */
    public int emit(String event, Object... args) {
        return new BroadcastOperator(this, Set.of(), Set.of()).emit(event, args);
    }

    /** Connected sockets (a live view). */
    public Collection<SocketIoSocket> sockets() {
        return sockets.values();
    }

    /** The connected socket with this id, if any. */
    public Optional<SocketIoSocket> socket(String id) {
        return Optional.ofNullable(sockets.get(id));
    }

    /** Members of a room (a snapshot). */
    public Set<SocketIoSocket> members(String room) {
        Set<SocketIoSocket> m = rooms.get(room);
        return m == null ? Set.of() : Set.copyOf(m);
    }

    RecoveryLog recovery() {
        return recovery;
    }

    void addToRoom(SocketIoSocket s, String room) {
        rooms.compute(room, (k, set) -> {
            Set<SocketIoSocket> v = set == null ? ConcurrentHashMap.newKeySet() : set;
            v.add(s);
            return v;
        });
    }

    void removeFromRoom(SocketIoSocket s, String room) {
        rooms.computeIfPresent(room, (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    void removeSocket(SocketIoSocket s) {
        sockets.remove(s.id(), s);
        for (String r : s.rooms()) {
            removeFromRoom(s, r);
        }
    }

    /** Handles a CONNECT for this namespace; on the connection's event loop. */
    void connect(SocketIoConnection conn, JsonNode authIn) {
        ObjectNode auth = authIn == null ? JsonNodeFactory.instance.objectNode() : ((ObjectNode) authIn).deepCopy();
        RecoveryLog.Restored restored = null;
        if (recovery != null) {
            String pid = auth.path("pid").textValue();
            String offset = auth.path("offset").textValue();
            auth.remove("pid");
            auth.remove("offset");
            if (pid != null) {
                restored = recovery.restore(pid, offset);
            }
        }
        EngineHandshake eh = conn.session().handshake();
        SocketIoHandshake hs = new SocketIoHandshake(auth, eh.query(), eh.headers(), eh.remoteAddress(),
                Instant.now());
        String id = restored != null ? restored.session().sid() : server.newId();
        String pid = recovery == null ? null : restored != null ? restored.session().pid() : server.newId();
        SocketIoSocket socket = new SocketIoSocket(id, pid, this, conn, hs, restored != null);
        if (restored != null) {
            socket.data().putAll(restored.session().data());
        }
        RecoveryLog.Restored r = restored;
        conn.connecting(name, true);
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (ConnectMiddleware m : middlewares) {
            chain = chain.thenCompose(v -> m.check(socket));
        }
        chain.whenComplete((v, err) -> {
            if (conn.session().eventLoop().inEventLoop()) {
                finishConnect(conn, socket, r, err);
            } else {
                conn.session().eventLoop().execute(() -> finishConnect(conn, socket, r, err));
            }
        });
    }

    private void finishConnect(SocketIoConnection conn, SocketIoSocket socket, RecoveryLog.Restored restored,
                               Throwable err) {
        conn.connecting(name, false);
        if (conn.isClosed() || err != null) {
            // Rooms a middleware joined must not keep a socket that never connected.
            removeSocket(socket);
        }
        if (conn.isClosed()) {
            return;
        }
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            if (cause instanceof ConnectRefusedException refused) {
                body.put("message", refused.getMessage());
                if (refused.data() != null) {
                    body.set("data", SocketIoCodec.toNode(refused.data()));
                }
            } else {
                log.warn("socket.io connect middleware failed in namespace {}", name, cause);
                body.put("message", "Internal server error");
            }
            conn.sendPacket(new SocketIoPacket(SocketIoPacketType.CONNECT_ERROR, name, null, body));
            return;
        }
        // Join first: from here on broadcasts reach the socket (held until the CONNECT answer).
        socket.join(socket.id());
        List<EncodedPacket> replay = List.of();
        LongPredicate replayed = seq -> false;
        if (restored != null) {
            restored.session().rooms().forEach(socket::join);
            // Broadcasts between the restore (before the middlewares) and these joins reached
            // neither the replay nor the socket: collect them too. Held packets the collections
            // accounted for are then duplicates and are skipped.
            RecoveryLog.Restored extra = recovery.since(restored, socket.rooms());
            if (extra == null) {
                log.warn("socket.io recovery of {} in {} lost packets to eviction; closing", socket.id(), name);
                removeSocket(socket);
                conn.session().close();
                return;
            }
            replay = new java.util.ArrayList<>(restored.missed());
            replay.addAll(extra.missed());
            replayed = extra::covers;
        }
        sockets.put(socket.id(), socket);
        conn.register(name, socket);
        socket.markConnected(recovery == null ? 0 : recovery.currentSeq(), replay, replayed);
        for (Consumer<SocketIoSocket> h : connectionHandlers) {
            try {
                h.accept(socket);
            } catch (RuntimeException e) {
                log.warn("socket.io connection handler failed in namespace {} for socket {}", name, socket.id(), e);
            }
        }
    }
}
