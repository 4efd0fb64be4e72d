package dev.herald.server.transport.socketio.herald;

import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatService;
import dev.herald.server.presence.PresenceTracker;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.socketio.SocketIoConfig;
import dev.herald.server.transport.socketio.SocketIoNamespace;
import dev.herald.server.transport.socketio.SocketIoServer;
import dev.herald.server.transport.socketio.engine.EngineIoConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import java.util.List;

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
 * <p>Threading: {@link #handle} runs on the request's event loop and never blocks.
 */
public final class SocketIoEndpoint implements HttpEndpoint {
    public static final Duration RECOVERY_WINDOW = Duration.ofMinutes(2);

    private final SocketIoServer io;

    public SocketIoEndpoint(TransportContext context, ChatService chat, PresenceTracker presence,
                            SocketIoSettings settings) {
        // One message must fit the HTTP aggregator in front of the layer.
        EngineIoConfig engine = EngineIoConfig.defaults()
                .withMaxPayload(Math.min(EngineIoConfig.defaults().maxPayload(), context.config().maxHttpBodyBytes()))
                .withAllowedOrigins(context.config().corsOrigins());
        this.io = new SocketIoServer(SocketIoConfig.defaults().withEngine(engine).withRecovery(RECOVERY_WINDOW));
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

    @Override
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, Runnable done) {
        if (!io.handle(ctx, request, done)) {
            return false;
        }
        request.release();
        return true;
    }
}
