package dev.herald.socketio.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An Engine.IO v4 server living inside an existing Netty HTTP pipeline
 * ({@code HttpServerCodec -> HttpObjectAggregator -> router}). The router calls
 * {@link #handle(ChannelHandlerContext, FullHttpRequest)} for each request; requests under
 * {@link EngineIoConfig#path()} are served (long-polling GET/POST, CORS preflight, WebSocket
 * handshake), all others are left to the router.
 *
 * <p>Refusals are HTTP 400 with {@code {"code":N,"message":...}} as the reference server sends:
 * unsupported {@code EIO}, unknown {@code transport}, bad method, unknown or closed {@code sid},
 * overlapping polls, polls after an upgrade.
 *
 * <p>Handshakes (a polling GET or a WebSocket without {@code sid}) are bounded before a session
 * exists: the session keeps only the configured headers ({@link EngineIoConfig#handshakeHeaders()}),
 * and is <em>pending</em> until the application calls {@link EngineSession#admit()} or it closes.
 * A handshake over {@link EngineIoConfig#maxHandshakeBytes()}, or one that would exceed the pending
 * caps (per client address, in total, in bytes), is refused at once, never queued, with
 * {@link HandshakeRefusal}'s answer: 431, 429 or 503 with {@code {"code":3,"message":...}}.
 * {@link #pendingSessions()}, {@link #pendingBytes()} and {@link #refusedHandshakes} tell how
 * close to the caps the server runs; refusals are logged as one WARN line per 10 s at most.
 *
 * <p>Threading: {@code handle} must be called on the request channel's event loop and never
 * blocks. The {@code onOpen} callback runs on the new session's event loop, synchronously while
 * the session is created, so it can install a listener before any message is delivered.
 * The session table is a concurrent map.
 */
public final class EngineIoServer {
    private static final int SID_BYTES = 15;

    private final EngineIoConfig config;
    private final Consumer<EngineSession> onOpen;
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final PendingSessions pending;

    /**
     * @param onOpen told of each new session (see the type's threading notes). Every session
     *               starts pending: an application without an authentication step calls
     *               {@link EngineSession#admit()} here.
     */
    public EngineIoServer(EngineIoConfig config, Consumer<EngineSession> onOpen) {
        this.config = Objects.requireNonNull(config, "config");
        this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
        this.pending = new PendingSessions(config.path(), config);
    }

    /** The settings it was created with. */
    public EngineIoConfig config() {
        return config;
    }

    /** Open sessions right now (a snapshot). */
    public Collection<EngineSession> sessions() {
        return List.copyOf(sessions.values());
    }

    /** Sessions opened and neither admitted ({@link EngineSession#admit()}) nor closed, right now. */
    public int pendingSessions() {
        return pending.count();
    }

    /** The sum of the pending sessions' {@link EngineHandshake#size()}, right now. */
    public long pendingBytes() {
        return pending.bytes();
    }

    /** Handshakes refused for this reason since the server was created. */
    public long refusedHandshakes(HandshakeRefusal reason) {
        return pending.refused(Objects.requireNonNull(reason, "reason"));
    }

    /** Closes every session (server shutdown). */
    public void closeAll() {
        sessions.values().forEach(EngineSession::close);
    }

    void remove(EngineSession s) {
        sessions.remove(s.id(), s);
    }

    /**
     * Serves the request if its path is under {@link EngineIoConfig#path()}.
     *
     * @return {@code false} when the path is not ours (nothing was written); {@code true} when the
     *         request was answered or taken over. The caller keeps ownership of {@code request}
     *         and releases it as usual; nothing here holds on to it. For a WebSocket the channel
     *         pipeline is reconfigured: the HTTP aggregator and the calling handler are removed.
     */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        return handle(ctx, request, () -> { });
    }

    /**
     * As {@link #handle(ChannelHandlerContext, FullHttpRequest)}, telling when a plain HTTP answer
     * was written: {@code answered} runs then (on the request's event loop), so a router can serve
     * the connection's next request in order. It never runs for a request that became a WebSocket
     * (the router is gone from that pipeline), nor when the connection closes before an answer
     * (e.g. a pending poll whose connection dropped).
     */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, Runnable answered) {
        QueryStringDecoder qs = new QueryStringDecoder(request.uri());
        // The query is decoded only for a request of ours that needs it (not a preflight).
        return serve(ctx, request, qs.path(), qs::parameters, answered);
    }

    /**
     * As {@link #handle(ChannelHandlerContext, FullHttpRequest, Runnable)}, for a router that has
     * decoded the request's URI already (and answered a malformed one): {@code path} and
     * {@code query} are used, {@code request.uri()} is not decoded again.
     *
     * @param path  the decoded path
     * @param query the decoded query parameters
     */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, String path,
                          Map<String, List<String>> query, Runnable answered) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        return serve(ctx, request, path, () -> query, answered);
    }

    private boolean serve(ChannelHandlerContext ctx, FullHttpRequest request, String path,
                          Supplier<Map<String, List<String>>> decodeQuery, Runnable answered) {
        Objects.requireNonNull(answered, "answered");
        if (!path.startsWith(config.path()) && !(path + "/").equals(config.path())) {
            return false;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        EngineHttp.Exchange ex = new EngineHttp.Exchange(ctx, HttpUtil.isKeepAlive(request), origin, answered);
        if (request.method().equals(HttpMethod.OPTIONS)) {
            preflight(ex, request);
            return true;
        }
        Map<String, List<String>> query = decodeQuery.get();
        if (!"4".equals(first(query, "EIO"))) {
            refuse(ex, EngineHttp.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version");
            return true;
        }
        String transport = first(query, "transport");
        String sid = first(query, "sid");
        boolean upgradeRequest = "websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE));
        if ("websocket".equals(transport)) {
            if (!upgradeRequest || !request.method().equals(HttpMethod.GET)) {
                refuse(ex, EngineHttp.BAD_REQUEST, "Bad request");
            } else if (sid != null && !sessions.containsKey(sid)) {
                refuse(ex, EngineHttp.SESSION_ID_UNKNOWN, "Session ID unknown");
            } else if (sid != null) {
                webSocket(ctx, request, sid, answered, null, null);
            } else {
                EngineHandshake hs = EngineHandshake.of(path, query, request.headers(), ctx.channel().remoteAddress(),
                        config);
                PendingSessions.Ticket ticket = admit(ex, hs);
                if (ticket != null) {
                    webSocket(ctx, request, null, answered, hs, ticket);
                }
            }
            return true;
        }
        if (!"polling".equals(transport)) {
            refuse(ex, EngineHttp.TRANSPORT_UNKNOWN, "Transport unknown");
            return true;
        }
        if (sid == null) {
            if (!request.method().equals(HttpMethod.GET)) {
                refuse(ex, EngineHttp.BAD_HANDSHAKE_METHOD, "Bad handshake method");
                return true;
            }
            EngineHandshake hs = EngineHandshake.of(path, query, request.headers(), ctx.channel().remoteAddress(),
                    config);
            PendingSessions.Ticket ticket = admit(ex, hs);
            if (ticket == null) {
                return true;
            }
            EngineSession s = open(ctx.channel(), hs, EngineSession.Transport.POLLING, ticket);
            EngineHttp.ok(ex, config.allowedOrigins(), openPacket(s.id(), List.of("websocket")));
            s.start();
            return true;
        }
        EngineSession s = sessions.get(sid);
        if (s == null) {
            refuse(ex, EngineHttp.SESSION_ID_UNKNOWN, "Session ID unknown");
        } else if (request.method().equals(HttpMethod.GET)) {
            onLoop(s, () -> s.onPoll(ex));
        } else if (request.method().equals(HttpMethod.POST)) {
            int length = request.content().readableBytes();
            // Decode now: the request is released by the caller once we return.
            String body = length > config.maxPayload() ? "" : request.content().toString(StandardCharsets.UTF_8);
            onLoop(s, () -> s.onPost(ex, body, length));
        } else {
            refuse(ex, EngineHttp.BAD_HANDSHAKE_METHOD, "Bad request method");
        }
        return true;
    }

    /**
     * Counts a new session's handshake as pending, or answers the refusal.
     *
     * @return the ticket to hand to the session, or {@code null} when refused (answered)
     */
    private PendingSessions.Ticket admit(EngineHttp.Exchange ex, EngineHandshake hs) {
        PendingSessions.Admission a = pending.tryAcquire(hs.remoteAddress(), hs.size());
        if (a.ticket() == null) {
            HandshakeRefusal r = a.refusal();
            EngineHttp.error(ex, config.allowedOrigins(), r.status(), EngineHttp.BAD_REQUEST, r.message(),
                    r == HandshakeRefusal.TOO_LARGE ? null : "1");
        }
        return a.ticket();
    }

    /**
     * Opens a WebSocket: a new session when {@code sid} is null ({@code hs} and its pending
     * {@code ticket} then set; the ticket is released if the handshake fails), else an upgrade probe.
     */
    private void webSocket(ChannelHandlerContext ctx, FullHttpRequest request, String sid, Runnable answered,
                           EngineHandshake hs, PendingSessions.Ticket ticket) {
        Channel ch = ctx.channel();
        String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                "ws://" + host + config.path(), null, true, config.maxPayload()).newHandshaker(request);
        if (handshaker == null) {
            if (ticket != null) {
                ticket.release();
            }
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(f -> answered.run());
            return;
        }
        EngineWebSocketHandler handler = new EngineWebSocketHandler();
        EngineSession probed = sid == null ? null : sessions.get(sid);
        if (probed != null) {
            // Before the 101 goes out: polls racing the probe's first frames must know of it.
            probed.announceProbe(ch);
        }
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), "eio-ws-aggregator", new WebSocketFrameAggregator(config.maxPayload()));
        p.addAfter("eio-ws-aggregator", "eio-ws", handler);
        handshaker.handshake(ch, request).addListener(f -> {
            if (!f.isSuccess()) {
                if (probed != null) {
                    probed.probeFailed(ch);
                }
                if (ticket != null) {
                    ticket.release();
                }
                ch.close();
                return;
            }
            if (sid == null) {
                EngineSession s = open(ch, hs, EngineSession.Transport.WEBSOCKET, ticket);
                handler.bind(s);
                s.attachWebSocket(ch);
                s.send(EnginePacket.of(EnginePacketType.OPEN, openJson(s.id(), List.of())));
                s.start();
            } else {
                if (probed == null || sessions.get(sid) != probed) {
                    if (probed != null) {
                        probed.probeFailed(ch);
                    }
                    ch.close();
                    return;
                }
                handler.bind(probed);
                onLoop(probed, () -> probed.onProbeChannel(ch));
            }
        });
        p.remove(ctx.handler());
    }

    private EngineSession open(Channel ch, EngineHandshake hs, EngineSession.Transport transport,
                               PendingSessions.Ticket ticket) {
        byte[] bytes = new byte[SID_BYTES];
        random.nextBytes(bytes);
        String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        EngineSession s = new EngineSession(sid, this, ch.eventLoop(), hs, transport, ticket);
        sessions.put(sid, s);
        onOpen.accept(s);
        return s;
    }

    private String openPacket(String sid, List<String> upgrades) {
        return "0" + openJson(sid, upgrades);
    }

    private String openJson(String sid, List<String> upgrades) {
        StringBuilder sb = new StringBuilder("{\"sid\":\"").append(sid).append("\",\"upgrades\":[");
        for (int i = 0; i < upgrades.size(); i++) {
            sb.append(i > 0 ? "," : "").append('"').append(upgrades.get(i)).append('"');
        }
        return sb.append("],\"pingInterval\":").append(config.pingInterval().toMillis())
                .append(",\"pingTimeout\":").append(config.pingTimeout().toMillis())
                .append(",\"maxPayload\":").append(config.maxPayload()).append('}').toString();
    }

    private void preflight(EngineHttp.Exchange ex, FullHttpRequest request) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        EngineHttp.addCors(res, ex.origin(), config.allowedOrigins());
        if (EngineHttp.originAllowed(ex.origin(), config.allowedOrigins())) {
            res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            String asked = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
            if (asked != null) {
                res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked);
            }
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ex.ctx().writeAndFlush(res).addListener(f -> ex.answered().run());
    }

    private void refuse(EngineHttp.Exchange ex, int code, String message) {
        EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST, code, message);
    }

    private static void onLoop(EngineSession s, Runnable r) {
        if (s.eventLoop().inEventLoop()) {
            r.run();
        } else {
            s.eventLoop().execute(r);
        }
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
