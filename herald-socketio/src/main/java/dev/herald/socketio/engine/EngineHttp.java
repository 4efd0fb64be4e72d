package dev.herald.socketio.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the HTTP answers of the polling transport and of refused requests, with CORS headers
 * for the allowed origins ({@link EngineIoConfig#allowedOrigins()}): an origin listed by name is
 * echoed with credentials allowed; with {@code "*"} listed, any other origin (but {@code null}) is
 * echoed without credentials, so its pages can poll with a token but never with the user's
 * cookies; no list: no CORS headers (same-origin pages only). Stateless; safe from any thread
 * (Netty hops the write to the channel's loop).
 */
final class EngineHttp {
    /** Engine.IO error codes, as the reference server sends them in 400 bodies. */
    static final int TRANSPORT_UNKNOWN = 0;
    static final int SESSION_ID_UNKNOWN = 1;
    static final int BAD_HANDSHAKE_METHOD = 2;
    static final int BAD_REQUEST = 3;
    static final int FORBIDDEN = 4;
    static final int UNSUPPORTED_PROTOCOL_VERSION = 5;

    private EngineHttp() {
    }

    /**
     * Where to send a response, captured when the request arrived (the request is not kept).
     * {@code answered} runs once the response is written (the router then serves the connection's
     * next request).
     */
    record Exchange(ChannelHandlerContext ctx, boolean keepAlive, String origin, Runnable answered) {
    }

    static boolean originAllowed(String origin, List<String> allowed) {
        return origin != null && (allowed.contains(origin) || allowed.contains("*") && !origin.equals("null"));
    }

    static void respond(Exchange ex, List<String> allowedOrigins, HttpResponseStatus status, String contentType,
                        String body) {
        respond(ex, allowedOrigins, status, contentType, body, null);
    }

    /** @param retryAfter a {@code Retry-After} value (seconds), or {@code null} for none */
    static void respond(Exchange ex, List<String> allowedOrigins, HttpResponseStatus status, String contentType,
                        String body, String retryAfter) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        // Polling responses must never be cached by a browser or proxy.
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (retryAfter != null) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        }
        addCors(res, ex.origin(), allowedOrigins);
        if (ex.keepAlive()) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ex.ctx().writeAndFlush(res).addListener(f -> ex.answered().run());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ex.ctx().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE).addListener(f -> ex.answered().run());
        }
    }

    static void addCors(FullHttpResponse res, String origin, List<String> allowedOrigins) {
        if (originAllowed(origin, allowedOrigins)) {
            res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if (allowedOrigins.contains(origin)) {
                res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            res.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    static void ok(Exchange ex, List<String> allowedOrigins, String body) {
        respond(ex, allowedOrigins, HttpResponseStatus.OK, "text/plain; charset=UTF-8", body);
    }

    static void error(Exchange ex, List<String> allowedOrigins, HttpResponseStatus status, int code, String message) {
        error(ex, allowedOrigins, status, code, message, null);
    }

    static void error(Exchange ex, List<String> allowedOrigins, HttpResponseStatus status, int code, String message,
                      String retryAfter) {
        respond(ex, allowedOrigins, status, "application/json",
                "{\"code\":" + code + ",\"message\":\"" + message + "\"}", retryAfter);
    }
}
