package dev.herald.server.transport.ws;

import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.Session;
import dev.herald.server.delivery.StreamEvent;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A plain WebSocket connection as the delivery core sees it: each event goes out as one text
 * frame whose bytes were framed once for all recipients ({@link WsFrames}) and are wrapped, not
 * copied.
 *
 * <p>Loop-confined, like every {@link Session}.
 */
final class WsSession implements Session {
    private final String id;
    private final String userId;
    private final ChannelHandlerContext ctx;
    private final HeraldMetrics metrics;
    private final Consumer<CloseReason> closer;
    private final BooleanSupplier closing;
    private boolean flushPending; // only on the loop

    /** @param closing true once the close handshake started: nothing may be written after it */
    WsSession(String id, String userId, ChannelHandlerContext ctx, HeraldMetrics metrics, Consumer<CloseReason> closer,
              BooleanSupplier closing) {
        this.closing = closing;
        this.id = id;
        this.userId = userId;
        this.ctx = ctx;
        this.metrics = metrics;
        this.closer = closer;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String userId() {
        return userId;
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public boolean isOpen() {
        return ctx.channel().isActive() && !closing.getAsBoolean();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void deliver(StreamEvent event) {
        if (closing.getAsBoolean()) {
            return;
        }
        // Framed once per event and shared: the bytes pass the WebSocket encoder untouched.
        ctx.write(Unpooled.wrappedBuffer(event.encoded(StreamEvent.WEBSOCKET_FRAME, WsFrames::text)), ctx.voidPromise());
        metrics.frameOut();
    }

    /** Writes one of Herald's own frames (already encoded JSON). */
    void send(byte[] json) {
        if (closing.getAsBoolean()) {
            return;
        }
        ctx.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)), ctx.voidPromise());
        metrics.frameOut();
    }

    @Override
    public void flush() {
        flushPending = false;
        ctx.flush();
    }

    @Override
    public boolean markFlushPending() {
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    @Override
    public void close(CloseReason reason) {
        closer.accept(reason);
    }

    @Override
    public String toString() {
        return "WsSession[" + id + " user=" + userId + "]";
    }
}
