package dev.herald.server.transport.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * A part of the server that takes over whole requests by path, such as a WebSocket upgrade
 * endpoint, Socket.IO, SSE or static pages. Called on the channel's event loop.
 */
public interface HttpEndpoint {
    /**
     * @param target the request's URI, already decoded by the router: read the path and query
     *               from here, never from {@code request.uri()}
     * @return false when the request is not for this endpoint (it is then left untouched);
     *         true when the endpoint answered it or took over the channel. The endpoint then
     *         owns the request and must release it, and calls {@code done} once it answered
     *         a plain HTTP request (not after taking over the channel).
     */
    boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target, Runnable done);
}
