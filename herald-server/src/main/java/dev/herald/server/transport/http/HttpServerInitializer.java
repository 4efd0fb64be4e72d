package dev.herald.server.transport.http;

import dev.herald.server.transport.TransportContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.List;

/**
 * Assembles each connection's pipeline: HTTP codec, body aggregation with the
 * configured cap (413 above it), then the router. Upgrades rebuild the pipeline themselves.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
    private final TransportContext context;
    private final List<HttpEndpoint> endpoints;
    private final List<Route> routes;

    public HttpServerInitializer(TransportContext context, List<HttpEndpoint> endpoints, List<Route> routes) {
        this.context = context;
        this.endpoints = List.copyOf(endpoints);
        this.routes = List.copyOf(routes);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("http", new HttpServerCodec(4096, 16 * 1024, 8192))
                .addLast("aggregator", new HttpObjectAggregator(context.config().maxHttpBodyBytes()))
                .addLast("router", new HttpRequestHandler(context, endpoints, routes));
    }
}
