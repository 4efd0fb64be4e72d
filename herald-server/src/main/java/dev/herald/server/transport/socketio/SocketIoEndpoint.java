package dev.herald.server.transport.socketio;

import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.SocketIoSettings;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.RequestTarget;
import dev.herald.socketio.SocketIoConfig;
import dev.herald.socketio.SocketIoNamespace;
import dev.herald.socketio.SocketIoServer;
import dev.herald.socketio.engine.EngineIoConfig;
import dev.herald.socketio.engine.EngineIoServer;
import dev.herald.socketio.engine.HandshakeRefusal;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Herald over Socket.IO at {@code /socket.io/}: namespace {@code /} with connection state
 * recovery (2 minutes), JWT auth ({@link SocketAuth}), each socket a Herald session
 * ({@link HeraldSocket}) with the events of {@link SocketEvents}. See docs/socketio.md.
 *
 * <p>Request ownership: the router hands over the request; the Socket.IO layer neither keeps nor
 * releases it, so this endpoint releases it once the layer returns (a WebSocket handshake reads
 * it synchronously). {@code done} is handed to the layer, which runs it once a plain HTTP answer
 * (a poll, a POST's {@code ok}, a refusal) is written, so the connection's next request is served
 * after it, in order; after a WebSocket takeover the router is gone and {@code done} never runs.
 *
 * <p>Anonymous handshakes are bounded (see docs/socketio.md, "Limits"): a session keeps only what
 * {@link SocketAuth} reads ({@link #HANDSHAKE_HEADERS}, and of the cookies only the JWT cookie),
 * must authenticate within {@link #CONNECT_TIMEOUT}, and sessions not yet authenticated are capped
 * per client address and in total. Metrics: {@code herald_socketio_pending_sessions},
 * {@code herald_socketio_pending_bytes}, {@code herald_socketio_refused_handshakes_total{reason}}.
 *
 * <p>Threading: {@link #handle} runs on the request's event loop and never blocks.
 */
public final class SocketIoEndpoint implements HttpEndpoint {
    public static final Duration RECOVERY_WINDOW = Duration.ofMinutes(2);

    /**
     * How long a session may stay without an authenticated socket. A client sends its CONNECT
     * right after the handshake and the token check takes milliseconds (a JWKS fetch at worst a
     * few seconds), so 10 s is ample; Socket.IO's 45 s let anonymous sessions live 4.5 times longer.
     */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The request headers a session keeps: what {@link SocketAuth} reads (Authorization, the
     * Cookie header reduced to the JWT cookie, and Origin and Host, which decide whether the
     * cookie may be used). Nothing else in Herald reads the handshake's headers; everything kept
     * is held by every session, authenticated or not.
     */
    public static final Set<String> HANDSHAKE_HEADERS = Set.of("authorization", "cookie", "origin", "host");

    /**
     * Cap on what one handshake keeps (kept headers, query, path, in characters): room for a JWT
     * in the Authorization header and another in the cookie, plus a query with {@code access_token}.
     */
    public static final int MAX_HANDSHAKE_BYTES = 8 * 1024;

    /**
     * Sessions not yet authenticated, per client address. A browser opens one at a time; many
     * clients behind one NAT reconnecting at once are spread by their backoff, and a refused one
     * (429) retries. Behind a reverse proxy every client has the proxy's address: raise it there.
     * To be wired to a Herald option; until then this constant.
     */
    public static final int DEFAULT_MAX_PENDING_PER_ADDRESS = 64;

    /**
     * Sessions not yet authenticated, in total: enough for a reconnect storm of tens of thousands
     * of clients (each pending for a round trip), small enough that their memory stays a few MB.
     * To be wired to a Herald option; until then this constant.
     */
    public static final int DEFAULT_MAX_PENDING_SESSIONS = 10_000;

    /**
     * Cap on the sum of the pending sessions' kept handshakes, whatever the clients send: room for
     * {@link #DEFAULT_MAX_PENDING_SESSIONS} browsers each with a JWT cookie of about 1.5 KB.
     */
    public static final long MAX_PENDING_BYTES = 16L * 1024 * 1024;

    private final SocketIoServer io;

    public SocketIoEndpoint(TransportContext context, ChatService chat, PresenceTracker presence) {
        this(context, chat, presence, DEFAULT_MAX_PENDING_PER_ADDRESS, DEFAULT_MAX_PENDING_SESSIONS);
    }

    /**
     * The event names and relay rules come from the config ({@link HeraldConfig#socketIo()}),
     * like every other setting of the endpoint.
     *
     * @param maxPendingPerAddress sessions not yet authenticated per client address (over it: 429)
     * @param maxPendingSessions   sessions not yet authenticated in total (over it: 503)
     */
    public SocketIoEndpoint(TransportContext context, ChatService chat, PresenceTracker presence,
                            int maxPendingPerAddress, int maxPendingSessions) {
        SocketIoSettings settings = context.config().socketIo();
        // One message must fit the HTTP aggregator in front of the layer.
        EngineIoConfig engine = EngineIoConfig.defaults()
                .withMaxPayload(Math.min(EngineIoConfig.defaults().maxPayload(), context.config().maxHttpBodyBytes()))
                .withAllowedOrigins(context.config().corsOrigins())
                .withHandshakeHeaders(HANDSHAKE_HEADERS)
                .withHandshakeCookies(Set.of(jwtCookieOrNone(context.config().jwtCookie())))
                .withMaxHandshakeBytes(MAX_HANDSHAKE_BYTES)
                .withPendingCaps(maxPendingSessions, maxPendingPerAddress, MAX_PENDING_BYTES);
        this.io = new SocketIoServer(SocketIoConfig.defaults().withEngine(engine).withRecovery(RECOVERY_WINDOW)
                .withConnectTimeout(CONNECT_TIMEOUT));
        if (context.metrics() != null) {
            bindMetrics(context.metrics().registry(), io.engine());
        }
        long cap = engine.maxBufferedBytes();
        SocketIoNamespace main = io.of("/");
        // Like every notification connection, a Socket.IO user is recorded so broadcasts reach them.
        main.use(new SocketAuth(context.tokens(), context.blocking(), context.config().jwtCookie(),
                p -> context.notifications().knowUser(p.userStream()), context.origins(),
                context.sessions()::countOfUser, context.config().maxConnectionsPerUser()));
        main.onConnection(socket -> {
            Principal principal = (Principal) socket.data().get(SocketAuth.PRINCIPAL);
            HeraldSocket session = new HeraldSocket(socket, principal, context, settings, cap);
            SocketEvents events = new SocketEvents(session, chat, presence);
            session.start(events);
        });
    }

    /** The Socket.IO server underneath (for tests and metrics). */
    public SocketIoServer server() {
        return io;
    }

    /** With no JWT cookie configured, no cookie is kept (a name no cookie can have). */
    private static String jwtCookieOrNone(String name) {
        return name == null || name.isBlank() ? "=" : name;
    }

    private static void bindMetrics(MeterRegistry registry, EngineIoServer engine) {
        Gauge.builder("herald.socketio.pending.sessions", engine, EngineIoServer::pendingSessions)
                .description("Socket.IO sessions not yet authenticated").register(registry);
        Gauge.builder("herald.socketio.pending.bytes", engine, EngineIoServer::pendingBytes)
                .description("Characters of headers and query kept by Socket.IO sessions not yet authenticated")
                .register(registry);
        for (HandshakeRefusal r : HandshakeRefusal.values()) {
            FunctionCounter.builder("herald.socketio.refused.handshakes", engine, e -> e.refusedHandshakes(r))
                    .description("Socket.IO handshakes refused: too large (431), too many pending from one"
                            + " address (429) or in total (503)")
                    .tag("reason", r.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    @Override
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target, Runnable done) {
        if (!io.handle(ctx, request, target.path(), target.query(), done)) {
            return false;
        }
        request.release();
        return true;
    }
}
