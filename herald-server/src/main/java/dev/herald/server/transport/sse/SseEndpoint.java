package dev.herald.server.transport.sse;

import dev.herald.server.stream.StreamState;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.ConnectionGate;
import dev.herald.server.transport.http.Credentials;
import dev.herald.server.transport.http.Cors;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.HttpResponses;
import dev.herald.server.transport.http.RequestTarget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;


/**
 * {@code GET /sse/notifications}: the notification stream as Server-Sent Events, for clients
 * where WebSockets are blocked. Same token sources and stream parameters as
 * {@code /ws/notifications} ({@link StreamRequest}); a browser's automatic reconnect sends
 * {@code Last-Event-ID}, which resumes exactly like {@code since}. Refusals are the same HTTP
 * statuses with a JSON body.
 */
public final class SseEndpoint implements HttpEndpoint {
    public static final String PATH = "/sse/notifications";

    private final TransportContext context;

    public SseEndpoint(TransportContext context) {
        this.context = context;
    }

    @Override
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target, Runnable done) {
        if (!target.path().equals(PATH) && !target.path().equals(PATH + "/")) {
            return false;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            request.release();
            var answer = HttpResponses.error(context.json(), HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
            answer.headers().set(HttpHeaderNames.ALLOW, "GET");
            HttpResponses.write(ctx, answer, false);
            return true;
        }
        Credentials.UserToken token = Credentials.userCredential(request.headers(), target.query(), context.config().jwtCookie());
        String lastEventId = request.headers().get("Last-Event-ID");
        OriginPolicy.Trust trust = context.origins().judge(request.headers());
        String origin = OriginPolicy.corsOrigin(trust, request.headers());
        boolean credentials = OriginPolicy.corsWithCredentials(trust);
        ConnectionGate.admit(context, ctx, request, token, "sse", principal -> {
            StreamRequest stream = StreamRequest.parse(principal, target.query(), lastEventId);
            context.notifications().knowUser(principal.userStream());
            StreamState userState = stream.topic() == null ? null : context.notifications().state(principal.userStream());
            return new SseHandler(context, principal, stream, userState);
        }, handler -> open(ctx, request, handler, origin, credentials));
        return true;
    }

    private void open(ChannelHandlerContext ctx, FullHttpRequest request, SseHandler handler, String origin,
                      boolean credentials) {
        request.release();
        if (!ctx.channel().isActive()) {
            return;
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("X-Accel-Buffering", "no")
                .set(HttpResponses.NOSNIFF, "nosniff");
        Cors.decorate(response.headers(), origin, credentials);
        ctx.pipeline().addAfter(ctx.name(), "sse", handler);
        ctx.pipeline().remove(ctx.name());
        ctx.channel().writeAndFlush(response).addListener(f -> {
            if (f.isSuccess()) {
                handler.start();
            }
        });
        ctx.channel().config().setAutoRead(true);
    }
}
