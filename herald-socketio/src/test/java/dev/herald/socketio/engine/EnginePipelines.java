package dev.herald.socketio.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * The pipelines an {@link EngineIoServer} lives in, on {@link EmbeddedChannel}s: a router that
 * offers every aggregated request to {@code handle} and then releases it, as Herald's own router
 * does; with the HTTP codec and aggregator in front when a test needs the WebSocket handshake.
 * Time is frozen on every channel: scheduled tasks run only when a test advances it.
 */
final class EnginePipelines {
    private EnginePipelines() {
    }

    /** A connection whose inbound messages are already aggregated requests. */
    static EmbeddedChannel router(EngineIoServer engine) {
        EmbeddedChannel ch = new EmbeddedChannel(routerHandler(engine));
        ch.freezeTime();
        return ch;
    }

    /** A connection that reads and writes bytes: HTTP codec, aggregator, router (ConformanceServer's pipeline). */
    static EmbeddedChannel httpServer(EngineIoServer engine) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                routerHandler(engine));
        ch.freezeTime();
        return ch;
    }

    private static SimpleChannelInboundHandler<FullHttpRequest> routerHandler(EngineIoServer engine) {
        return new SimpleChannelInboundHandler<>() { // releases each request once handle returns
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                if (!engine.handle(ctx, request)) {
                    throw new AssertionError("not an engine.io request: " + request.uri());
                }
            }
        };
    }

    static FullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static FullHttpRequest post(String uri, String body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /** The response's body as text; releases the response. */
    static String bodyOf(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }
}
