package dev.herald.server.transport.ws;

import dev.herald.server.auth.Principal;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ConnectionGate;
import dev.herald.server.transport.http.Credentials;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.HttpResponses;
import dev.herald.server.transport.http.RequestTarget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A plain WebSocket endpoint ({@code /ws/notifications}, {@code /ws/chat}): authenticates the
 * upgrade request, lets the endpoint's factory authorize it and build the connection's
 * handler, then performs the handshake and rebuilds the pipeline for WebSocket frames.
 *
 * <p>Refusals are answered before the handshake, as HTTP: 401 for a missing, invalid or
 * expired token; 403 for a stream the token does not grant; 400 for bad parameters; each with
 * {@code {"error": "..."}}. Token verification and the factory run on a virtual thread (JWKS
 * fetches and store reads may block); the handshake runs on the channel's loop.
 */
public final class WsEndpoint implements HttpEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);

    /** Authorizes an upgrade and builds its handler. Runs on a virtual thread; may block. */
    @FunctionalInterface
    public interface HandlerFactory {
        /**
         * @param query the upgrade request's query parameters, decoded
         * @throws ApiException to refuse, with the status and reason the client gets
         */
        WsConnectionHandler create(Principal principal, Map<String, List<String>> query);
    }

    private final String path;
    private final TransportContext context;
    private final HandlerFactory factory;
    private final WebSocketDecoderConfig decoderConfig; // immutable: one for all connections

    public WsEndpoint(String path, TransportContext context, HandlerFactory factory) {
        this.path = path;
        this.context = context;
        this.factory = factory;
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(context.config().maxFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // WsConnectionHandler answers with the close code itself
                .build();
    }

    @Override
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target, Runnable done) {
        String p = target.path();
        if (!p.equals(path) && !p.equals(path + "/")) {
            return false;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            refuse(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET with a WebSocket upgrade");
            return true;
        }
        if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
            refuse(ctx, request, HttpResponseStatus.UPGRADE_REQUIRED, "WebSocket upgrade required");
            return true;
        }
        String connection = request.headers().get(HttpHeaderNames.CONNECTION, "");
        if (!connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")
                || !request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "malformed WebSocket upgrade: Connection: Upgrade and Sec-WebSocket-Key are required");
            return true;
        }
        Credentials.UserToken token = Credentials.userCredential(request.headers(), target.query(),
                context.config().jwtCookie());
        ConnectionGate.admit(context, ctx, request, token, "websocket " + path,
                principal -> factory.create(principal, target.query()),
                handler -> upgrade(ctx, request, handler));
        return true;
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, WsConnectionHandler handler) {
        try {
            if (!ctx.channel().isActive()) {
                return;
            }
            String url = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + path;
            WebSocketServerHandshaker handshaker =
                    new WebSocketServerHandshakerFactory(url, null, decoderConfig).newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            // The handler keeps the connection alive and adds a fragment aggregator itself when a
            // client fragments (WsConnectionHandler): an idle connection's pipeline is the
            // WebSocket decoder and encoder and this one handler.
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addAfter(ctx.name(), "ws", handler);
            handshakeOrRefuse(ctx, pipeline, handshaker, request, handler);
            pipeline.remove(ctx.name());
        } finally {
            request.release();
        }
    }

    private void handshakeOrRefuse(ChannelHandlerContext ctx, ChannelPipeline pipeline, WebSocketServerHandshaker handshaker,
                                   FullHttpRequest request, WsConnectionHandler handler) {
        try {
            handshaker.handshake(ctx.channel(), request).addListener(f -> {
                if (f.isSuccess()) {
                    handler.start();
                } else {
                    log.debug("handshake failed channel={}: {}", ctx.channel().id(), f.cause().toString());
                    ctx.channel().close();
                }
            });
        } catch (RuntimeException e) {
            log.debug("handshake refused channel={}: {}", ctx.channel().id(), e.toString());
            HttpResponses.write(ctx, HttpResponses.error(context.json(), HttpResponseStatus.BAD_REQUEST,
                    "malformed WebSocket upgrade: " + e.getMessage()), false);
        }
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String reason) {
        ConnectionGate.refuse(context, ctx, request, status, reason);
    }
}
