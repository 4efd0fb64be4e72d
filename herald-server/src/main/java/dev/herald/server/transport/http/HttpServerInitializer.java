package dev.herald.server.transport.http;

import dev.herald.server.memory.ByteBudget;
import dev.herald.server.transport.TransportContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.List;

/**
 * Assembles each connection's pipeline: the connection caps (before anything is read), the HTTP
 * codec with bounded request line and headers, the request deadline and the node's budget for
 * bodies in flight ({@link RequestGuard}), body aggregation with the configured cap (413 above
 * it), then the router. Upgrades rebuild the pipeline themselves.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
    /** Longest request line (method, URI, version): 414 above it. */
    static final int MAX_INITIAL_LINE = 4096;
    /** Largest request head: 431 above it. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_CHUNK = 8192;

    private final TransportContext context;
    private final List<HttpEndpoint> endpoints;
    private final List<Route> routes;
    private final ConnectionLimiter limiter;
    private final ByteBudget bodies;
    private final LoopRequestDrain drain;

    public HttpServerInitializer(TransportContext context, List<HttpEndpoint> endpoints, List<Route> routes,
                                 ConnectionLimiter limiter, ByteBudget bodies) {
        this.context = context;
        this.endpoints = List.copyOf(endpoints);
        this.routes = List.copyOf(routes);
        this.limiter = limiter;
        this.bodies = bodies;
        this.drain = new LoopRequestDrain(context.blocking());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!limiter.admit(ch)) {
            return;
        }
        ch.pipeline()
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK))
                .addLast("request-guard", new RequestGuard(context.config().requestTimeout().toNanos(),
                        context.metrics(), bodies))
                .addLast("aggregator", new HttpObjectAggregator(context.config().maxHttpBodyBytes()))
                .addLast("router", new HttpRequestHandler(context, endpoints, routes, drain));
    }
}
