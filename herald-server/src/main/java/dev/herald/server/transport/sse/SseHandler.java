package dev.herald.server.transport.sse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.stream.StreamState;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.TransportContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One {@code /sse/notifications} stream after its response headers were sent: follows the
 * requested stream through the delivery core, sends {@code connected} first, comments as
 * keepalive, and ends the response when the token expires, the client is too slow, or the
 * node shuts down (after a last {@code closing} event saying why, with the WebSocket close code).
 *
 * <p>One instance per connection; everything runs on the channel's event loop.
 */
final class SseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SseHandler.class);
    /** How long the closing event and the last chunk may take to leave before the connection is cut. */
    private static final int LAST_CHUNK_TIMEOUT_SECONDS = 3;

    private final TransportContext context;
    private final Principal principal;
    private final StreamRequest request;
    private final StreamState userState; // for topic streams: the user's own counts at connect; else null
    // Only on the loop.
    private ChannelHandlerContext ctx;
    private SseSession session;
    private StreamSubscription subscription;
    private ScheduledFuture<?> keepalive;
    private ScheduledFuture<?> expiry;
    private boolean started;
    private boolean closing;

    SseHandler(TransportContext context, Principal principal, StreamRequest request, StreamState userState) {
        this.context = context;
        this.principal = principal;
        this.request = request;
        this.userState = userState;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new SseSession(UUID.randomUUID().toString(), principal.userId(), ctx, context.metrics(), this::close,
                () -> closing);
    }

    /** Called once the response headers are written. */
    void start() {
        if (!ctx.channel().isActive()) {
            return;
        }
        started = true;
        context.sessions().add(session);
        context.metrics().connectionOpened();
        long ping = context.config().pingInterval().toMillis();
        keepalive = ctx.executor().scheduleAtFixedRate(() -> session.comment("ping"), ping, ping, TimeUnit.MILLISECONDS);
        Instant exp = principal.expiresAt();
        if (exp != null) {
            long delay = Math.max(0, exp.toEpochMilli() - System.currentTimeMillis());
            expiry = ctx.executor().schedule(() -> close(CloseReason.TOKEN_EXPIRED), delay, TimeUnit.MILLISECONDS);
        }
        log.info("connected session={} user={} endpoint=sse stream={}", session.id(), principal.userId(), request.stream());
        subscription = context.hub().subscribe(session, request.stream(), request.since(), request.filter(), this::connected);
    }

    private void connected(StreamState state) {
        ObjectNode frame = context.json().createObjectNode()
                .put("type", "connected")
                .put("connection_id", session.id())
                .put("user_id", principal.userId())
                .put("stream", request.stream())
                .put("seq", state.lastSeq())
                .put("unread_count", request.topic() == null ? state.unread() : userState.unread())
                .put("unseen_count", request.topic() == null ? state.unseen() : userState.unseen());
        if (request.since() >= 0) {
            frame.put("since", Math.min(request.since(), state.lastSeq()));
        }
        session.send(encode(frame));
        session.flush();
    }

    /** Ends the stream with a last event saying why; idempotent. */
    void close(CloseReason reason) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        log.info("closing session={} user={} code={} reason={}", session.id(), principal.userId(), reason.code(), reason.text());
        ObjectNode frame = context.json().createObjectNode()
                .put("type", "closing").put("code", reason.code()).put("reason", reason.text());
        session.send(encode(frame));
        closing = true; // the closing event and the last chunk are the last writes
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        // A client that stopped reading (the slow consumer this may be closing) would never let the
        // last chunk leave; it must not hold the connection.
        ctx.executor().schedule(() -> ctx.channel().close(), LAST_CHUNK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // an event stream reads nothing from the client
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (subscription != null && ctx.channel().isWritable()) {
            context.hub().writable(subscription);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (started) {
            started = false;
            context.sessions().remove(session);
            context.metrics().connectionClosed();
            if (subscription != null) {
                context.hub().unsubscribe(subscription);
            }
            log.info("disconnected session={} user={}", session.id(), principal.userId());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection error session={}: {}", session.id(), cause.toString());
        } else {
            log.warn("closing session={} user={} after error: {}", session.id(), principal.userId(), cause.toString());
        }
        ctx.close();
    }

    private byte[] encode(ObjectNode frame) {
        try {
            return context.json().writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("frame not serializable", e);
        }
    }
}
