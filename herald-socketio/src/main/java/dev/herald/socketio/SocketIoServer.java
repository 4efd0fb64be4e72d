package dev.herald.socketio;

import dev.herald.socketio.engine.EngineIoServer;
import dev.herald.socketio.engine.EngineSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Socket.IO v5 server (over Engine.IO v4) shaped like Socket.IO's: {@link #of(String)} namespaces
 * with middlewares, connection handlers, rooms and broadcasts; sockets with events, acks and
 * disconnect reasons; optional connection state recovery. Compatible with socket.io-client v4
 * (JavaScript) and v2 (Java), over WebSocket and HTTP long-polling with upgrade.
 *
 * <p>Integration: the HTTP router calls {@link #handle} for every request (see
 * {@link EngineIoServer#handle}); it returns {@code false} for paths outside the configured one.
 *
 * <p>Anonymous sessions: an Engine.IO session stays pending (counted against the caps of
 * {@link dev.herald.socketio.engine.EngineIoConfig}) until a socket joins a
 * namespace, i.e. passes its middlewares; the connect timeout closes it otherwise.
 *
 * <p>Threading: {@code handle} runs on the request's event loop and never blocks; every other
 * method is safe from any thread. Application callbacks (middlewares, connection handlers, event
 * handlers, ack and disconnect callbacks) run on the client's event loop and must not block.
 */
public final class SocketIoServer {
    private final SocketIoConfig config;
    private final EngineIoServer engine;
    private final Map<String, SocketIoNamespace> namespaces = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** A server with these settings and the main namespace {@code "/"}; it serves nothing until the application's HTTP handler calls {@link #handle}. */
    public SocketIoServer(SocketIoConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.engine = new EngineIoServer(config.engine(), this::onEngineOpen);
        of("/");
    }

    /** The settings it was created with. */
    public SocketIoConfig config() {
        return config;
    }

    /** The Engine.IO layer underneath (sessions, transports). */
    public EngineIoServer engine() {
        return engine;
    }

    /** Serves the request if it is under the configured path; see {@link EngineIoServer#handle}. */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        return engine.handle(ctx, request);
    }

    /**
     * As {@link #handle(ChannelHandlerContext, FullHttpRequest)}; {@code answered} runs once a plain
     * HTTP answer was written (never after a WebSocket takeover); see {@link EngineIoServer#handle}.
     */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, Runnable answered) {
        return engine.handle(ctx, request, answered);
    }

    /**
     * As {@link #handle(ChannelHandlerContext, FullHttpRequest, Runnable)}, for a router that has
     * decoded the request's URI already; see {@link EngineIoServer#handle(ChannelHandlerContext,
     * FullHttpRequest, String, Map, Runnable)}.
     */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, String path,
                          Map<String, List<String>> query, Runnable answered) {
        return engine.handle(ctx, request, path, query, answered);
    }

    /** The namespace with this name, created on first use; the main namespace is {@code "/"}. */
    public SocketIoNamespace of(String name) {
        if (name == null || !name.startsWith("/")) {
            throw new IllegalArgumentException("namespace must start with '/': " + name);
        }
        return namespaces.computeIfAbsent(name, n -> new SocketIoNamespace(n, this));
    }

    /** The main namespace. */
    public SocketIoNamespace sockets() {
        return of("/");
    }

    SocketIoNamespace find(String name) {
        return namespaces.get(name);
    }

    /** Disconnects every client with reason {@code "server shutting down"} and closes their sessions. */
    public void close() {
        for (EngineSession s : engine.sessions()) {
            s.eventLoop().execute(() -> {
                if (s.listener() instanceof SocketIoConnection c) {
                    c.closeSockets("server shutting down");
                }
                s.close();
            });
        }
    }

    String newId() {
        byte[] b = new byte[15];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void onEngineOpen(EngineSession session) {
        SocketIoConnection c = new SocketIoConnection(this, session);
        session.setListener(c);
        c.start();
    }
}
