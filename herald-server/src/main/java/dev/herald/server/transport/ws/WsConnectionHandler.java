package dev.herald.server.transport.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.transport.FloodGuard;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What every plain WebSocket connection does, whatever its endpoint: keepalive and reaping of
 * dead peers, token expiry and refresh, rate limiting, JSON parsing with clear error frames,
 * and closing with documented codes. Subclasses implement the endpoint's own frames.
 *
 * <p>Client frames common to all endpoints: {@code ping} (answered by {@code pong}) and
 * {@code refresh} (a fresh token; answered by {@code token_refreshed}). Malformed JSON, a
 * frame without {@code type}, an unknown type, a binary frame or a frame over the rate get an
 * {@code error} frame and the connection stays open; a client that keeps flooding is closed
 * with {@link CloseReason#RATE_LIMITED}. A client that breaks the WebSocket protocol itself
 * (1002), sends text that is not UTF-8 (1007) or a message over the size limit (1009) has its
 * connection failed: the close frame, then the TCP connection ends at once.
 *
 * <p>One instance per connection; everything runs on the channel's event loop. Idle connections
 * are the common case, so what an idle one holds is kept small: one timer task for keepalive and
 * token expiry, and the fragment aggregator and rate limiter only once the client needs them.
 */
public abstract class WsConnectionHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WsConnectionHandler.class);
    private static final int CLOSE_HANDSHAKE_TIMEOUT_SECONDS = 3;
    /**
     * After failing a connection: how long its input is still read (and dropped) once the close
     * frame and FIN went out, so the final close does not reset data the client has yet to read.
     * The client sees EOF at once; this only bounds a client that keeps sending.
     */
    private static final int FAILED_DRAIN_MILLIS = 1_000;

    protected final TransportContext context;
    // All fields below: only on the loop.
    protected Principal principal;
    protected ChannelHandlerContext ctx;
    protected WsSession session;
    // Keepalive and token expiry share one timer (see tick()); an idle connection holds one
    // scheduled task and no idle-state handler.
    private final Runnable tick = this::tick;
    private ScheduledFuture<?> timer;
    private long lastReadNanos = System.nanoTime();
    private boolean expires;      // whether the token has an exp
    private long expiresAtNanos;  // that exp on the System.nanoTime() clock
    private FloodGuard flood;     // created by the first client frame: a silent client needs none
    private long pausedAtNanos;   // when pauseReading stopped reading; 0 while reading
    private boolean closing;
    private boolean started;

    protected WsConnectionHandler(TransportContext context, Principal principal) {
        this.context = context;
        this.principal = principal;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new WsSession(UUID.randomUUID().toString(), principal.userId(), ctx, context.metrics(), this::close,
                () -> closing);
    }

    /** Called by the endpoint once the handshake response is written. */
    final void start() {
        if (!ctx.channel().isActive()) {
            return;
        }
        started = true;
        context.sessions().add(session);
        context.metrics().connectionOpened();
        lastReadNanos = System.nanoTime();
        expireAt(principal.expiresAt());
        rearm();
        log.info("connected session={} user={} endpoint={} remote={}", session.id(), principal.userId(),
                getClass().getSimpleName(), ctx.channel().remoteAddress());
        onOpen();
    }

    /** The connection is open; read nothing from the client until {@link #ready()}. */
    protected abstract void onOpen();

    /** An endpoint-specific client frame (anything but ping and refresh). */
    protected abstract void onFrame(String type, ObjectNode frame);

    /** The channel can take more bytes again. */
    protected void onWritable() {
    }

    /** The connection is gone; release subscriptions. */
    protected abstract void onClosed();

    /** Whether a refreshed token still allows what this connection does. */
    protected boolean stillAllowed(Principal refreshed) {
        return true;
    }

    /** Starts reading client frames (after the endpoint sent its first frame). */
    protected final void ready() {
        ctx.channel().config().setAutoRead(true);
    }

    /**
     * Stops reading the client (backpressure: TCP slows it down); frames already read may still
     * arrive. Keepalive and the frame rate limit make allowance for the pause on {@link #resumeReading}.
     */
    protected final void pauseReading() {
        if (pausedAtNanos == 0) {
            pausedAtNanos = System.nanoTime();
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Reads the client again after {@link #pauseReading}. What it sent meanwhile arrives at once:
     * the rate limit admits as many frames as its rate allowed during the pause
     * ({@link FloodGuard#resumedAfter}), and the pause does not count as the client's silence.
     */
    protected final void resumeReading() {
        if (pausedAtNanos != 0) {
            long now = System.nanoTime();
            if (flood != null) {
                flood.resumedAfter(now - pausedAtNanos);
            }
            pausedAtNanos = 0;
            lastReadNanos = now;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
        lastReadNanos = System.nanoTime();
        if (frame instanceof PongWebSocketFrame) {
            return; // lastReadNanos is all a pong is for
        }
        if (frame instanceof CloseWebSocketFrame) {
            if (closing) {
                ctx.close(); // the client answered our close
                return;
            }
            closing = true;
            // Echo the client's close frame, then end the connection (what the handshaker's close does).
            ctx.channel().writeAndFlush(frame.retain()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (closing) {
            return; // after our close frame only the client's close answer counts (RFC 6455 5.5.1)
        }
        if (!frame.isFinalFragment() && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
            startAggregating(ctx, frame);
            return;
        }
        context.metrics().frameIn();
        if (!admit()) {
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            onText(text);
        } else if (frame instanceof PingWebSocketFrame) {
            if (ctx.channel().isWritable()) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            }
        } else if (frame instanceof BinaryWebSocketFrame) {
            sendError("unsupported_frame", "binary frames are not supported; send JSON text frames");
        }
    }

    /**
     * The first fragment of a fragmented message. Few clients fragment, so the aggregator that
     * joins fragments is put before this handler only now, and keeps working for the rest of the
     * connection; this fragment is its first input.
     */
    private void startAggregating(ChannelHandlerContext ctx, WebSocketFrame first) throws Exception {
        WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(context.config().maxFrameBytes());
        ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", aggregator);
        aggregator.channelRead(ctx.pipeline().context(aggregator), first.retain());
    }

    /** The per-connection rate limit ({@link FloodGuard}); false when the frame is dropped. */
    private boolean admit() {
        if (flood == null) {
            flood = new FloodGuard(context.config().clientFrameRate(), context.config().clientFrameBurst());
        }
        FloodGuard.Verdict verdict = flood.admit();
        if (verdict != FloodGuard.Verdict.ADMIT) {
            context.metrics().refused(FloodGuard.REFUSED_REASON);
        }
        switch (verdict) {
            case ADMIT:
                return true;
            case REFUSE_AND_TELL:
                sendError("rate_limited", "too many frames; at most " + flood.ratePerSecond()
                        + " per second, extra frames are dropped");
                return false;
            case CLOSE:
                close(CloseReason.RATE_LIMITED);
                return false;
            default:
                return false;
        }
    }

    private void onText(TextWebSocketFrame text) {
        // RFC 6455 8.1: text that is not UTF-8 fails the connection with 1007. Checked here, on
        // whole messages (fragments arrive joined by the aggregator), rather than by Netty's
        // Utf8FrameValidator: that is one more handler, with state, on every idle connection.
        if (!ByteBufUtil.isText(text.content(), StandardCharsets.UTF_8)) {
            log.info("closing session={} user={} code=1007 reason=text frame is not valid UTF-8", session.id(), principal.userId());
            failConnection(WebSocketCloseStatus.INVALID_PAYLOAD_DATA);
            return;
        }
        JsonNode node;
        try (ByteBufInputStream in = new ByteBufInputStream(text.content())) {
            node = context.json().readTree((java.io.InputStream) in);
        } catch (JsonProcessingException e) {
            sendError("malformed_json", "frame is not valid JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            sendError("malformed_json", "frame is not valid JSON");
            return;
        }
        if (node == null || !node.isObject()) {
            sendError("invalid_frame", "a frame is one JSON object with a \"type\"");
            return;
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            sendError("invalid_frame", "a frame is one JSON object with a \"type\"");
            return;
        }
        ObjectNode frame = (ObjectNode) node;
        switch (type.asText()) {
            case "ping" -> {
                ObjectNode pong = context.json().createObjectNode().put("type", "pong");
                if (frame.has("id")) {
                    pong.set("id", frame.get("id"));
                }
                sendNow(pong);
            }
            case "refresh" -> refresh(frame);
            default -> onFrame(type.asText(), frame);
        }
    }

    private void refresh(ObjectNode frame) {
        JsonNode token = frame.get("token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            sendError("invalid_frame", "refresh needs a \"token\"");
            return;
        }
        context.blocking().execute(() -> {
            try {
                Principal refreshed = context.tokens().verify(token.asText());
                ctx.executor().execute(() -> applyRefresh(refreshed));
            } catch (AuthException e) {
                ctx.executor().execute(() -> sendError(
                        e.reason() == AuthException.Reason.EXPIRED ? "token_expired" : "invalid_token", e.getMessage()));
            }
        });
    }

    private void applyRefresh(Principal refreshed) {
        if (!refreshed.userId().equals(principal.userId())) {
            sendError("token_user_mismatch", "the new token is for another user; reconnect instead");
            return;
        }
        if (!stillAllowed(refreshed)) {
            close(CloseReason.FORBIDDEN);
            return;
        }
        principal = refreshed;
        expireAt(refreshed.expiresAt());
        rearm();
        ObjectNode reply = context.json().createObjectNode().put("type", "token_refreshed");
        reply.put("expires_at", refreshed.expiresAt() == null ? null : refreshed.expiresAt().toString());
        sendNow(reply);
    }

    /** Sets when the token expires ({@code null}: never), as a delay from now on the wall clock. */
    private void expireAt(Instant exp) {
        expires = exp != null;
        if (expires) {
            long delayMs = Math.max(0, exp.toEpochMilli() - System.currentTimeMillis());
            expiresAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        }
    }

    /** (Re)starts the timer: the next keepalive check, or the token's expiry if that comes first. */
    private void rearm() {
        if (timer != null) {
            timer.cancel(false);
        }
        long ping = context.config().pingInterval().toNanos();
        schedule(Math.max(0, ping - (System.nanoTime() - lastReadNanos)));
    }

    private void schedule(long keepaliveDelayNanos) {
        long delay = keepaliveDelayNanos;
        if (expires) {
            delay = Math.min(delay, expiresAtNanos - System.nanoTime());
        }
        timer = ctx.executor().schedule(tick, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    /**
     * The connection's timer. Token expiry closes with {@link CloseReason#TOKEN_EXPIRED}.
     * Keepalive works like Netty's {@code IdleStateHandler} for reads: a ping interval without a
     * frame from the client sends a ping (and again every interval), and a client silent for the
     * idle timeout is closed with {@link CloseReason#IDLE_TIMEOUT}.
     */
    private void tick() {
        timer = null;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (expires && now - expiresAtNanos >= 0) {
            close(CloseReason.TOKEN_EXPIRED);
            return;
        }
        long ping = context.config().pingInterval().toNanos();
        long silent = now - lastReadNanos;
        if (silent < ping) {
            schedule(ping - silent);
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(silent);
        if (silentMs >= context.config().idleTimeout().toMillis()) {
            log.info("idle timeout session={} user={} silent_ms={}", session.id(), principal.userId(), silentMs);
            close(CloseReason.IDLE_TIMEOUT);
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame());
        schedule(ping);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (started && ctx.channel().isWritable()) {
            onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (started) {
            started = false;
            context.sessions().remove(session);
            context.metrics().connectionClosed();
            log.info("disconnected session={} user={}", session.id(), principal.userId());
            onClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // Frame over the size limit or a protocol violation: say so with its code (1009, 1002).
            WebSocketCloseStatus status = corrupted.closeStatus();
            log.info("closing session={} user={} code={} reason={}", session.id(), principal.userId(),
                    status.code(), corrupted.getMessage());
            failConnection(status);
            return;
        }
        if (cause instanceof TooLongFrameException) {
            // A fragmented message whose parts add up to more than the limit.
            log.info("closing session={} user={} code=1009 reason={}", session.id(), principal.userId(), cause.getMessage());
            failConnection(WebSocketCloseStatus.MESSAGE_TOO_BIG);
            return;
        }
        if (cause instanceof IOException) {
            log.debug("connection error session={}: {}", session.id(), cause.toString());
        } else {
            log.warn("closing session={} user={} after error: {}", session.id(), principal.userId(), cause.toString());
        }
        ctx.close();
    }

    /** Closes with a documented code; idempotent. */
    protected final void close(CloseReason reason) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        log.info("closing session={} user={} code={} reason={}", session.id(), principal.userId(), reason.code(), reason.text());
        sendClose(reason.code(), reason.text());
    }

    /**
     * Fails the connection (RFC 6455 7.1.7) after a protocol error (1002), invalid data (1007)
     * or a message over the limit (1009): sends the close frame and ends the TCP connection
     * right after it instead of waiting for the client's answer. The end is a FIN
     * (shutdownOutput), so the client reads the close frame and then EOF at once; the server
     * keeps reading and discarding what the client still sends for at most {@link
     * #FAILED_DRAIN_MILLIS}, so that unread input does not turn the close into a reset that
     * could destroy the close frame before the client reads it.
     */
    private void failConnection(WebSocketCloseStatus status) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        closing = true;
        Channel channel = ctx.channel();
        ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(f -> {
            if (f.isSuccess() && channel instanceof DuplexChannel duplex && channel.isActive()) {
                channel.config().setAutoRead(true); // drain the client's input until it closes
                duplex.shutdownOutput();
                channel.eventLoop().schedule(() -> channel.close(), FAILED_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                channel.close();
            }
        });
    }

    /**
     * Starts the close handshake: the client reads what is queued, then the close frame, and
     * answers; closing the TCP connection before that could reset it and lose the code. For
     * the server's own reasons (shutdown, slow consumer, token expiry...), where the client must
     * read the code to act on it; a client that broke the protocol gets {@link #failConnection}.
     */
    private void sendClose(int code, String text) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        closing = true;
        ctx.writeAndFlush(new CloseWebSocketFrame(code, text));
        // A peer that never answers the close handshake must not hold the connection.
        ctx.executor().schedule(() -> ctx.channel().close(), CLOSE_HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    protected final void sendError(String code, String message) {
        sendNow(context.json().createObjectNode().put("type", "error").put("code", code).put("message", message));
    }

    /** Writes and flushes one of Herald's own frames. */
    protected final void sendNow(ObjectNode frame) {
        if (!session.isWritable()) {
            // A client that sends but does not read must not grow its queue past the cap.
            close(CloseReason.SLOW_CONSUMER);
            return;
        }
        session.send(encode(frame));
        session.flush();
    }

    protected final byte[] encode(ObjectNode frame) {
        try {
            return context.json().writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("frame not serializable", e);
        }
    }
}
