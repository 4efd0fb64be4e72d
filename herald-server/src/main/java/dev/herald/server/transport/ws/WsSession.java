package dev.herald.server.transport.ws;

import dev.herald.server.delivery.CloseReason;
import dev.herald.server.transport.ChannelSession;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A plain WebSocket connection as the delivery core sees it: each event goes out as one text
 * frame whose bytes were framed once for all recipients ({@link WsFrames}, {@link
 * StreamEvent#encoded}) and are written as they are, not copied.
 *
 * <p>Loop-confined, like every session.
 */
final class WsSession extends ChannelSession {
    private final BooleanSupplier closing;

    /** @param closing true once the close handshake started: nothing may be written after it */
    WsSession(String id, String userId, ChannelHandlerContext ctx, HeraldMetrics metrics, Consumer<CloseReason> closer,
              BooleanSupplier closing) {
        super(id, userId, ctx, metrics, closer);
        this.closing = closing;
    }

    @Override
    public boolean isOpen() {
        return super.isOpen() && !closing.getAsBoolean();
    }

    @Override
    public void deliver(StreamEvent event) {
        if (closing.getAsBoolean()) {
            return;
        }
        // Framed once per event and shared. Written from the head of the pipeline: the bytes are a
        // complete WebSocket frame, which the outbound handlers (HTTP and WebSocket encoders)
        // would only pass along. Writes stay in order: every handler passes writes on at once.
        ChannelHandlerContext first = ctx.pipeline().firstContext();
        first.write(event.encoded(StreamEvent.WEBSOCKET_FRAME, WsFrames::text), first.voidPromise());
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
}
