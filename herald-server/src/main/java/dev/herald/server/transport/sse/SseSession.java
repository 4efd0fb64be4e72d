package dev.herald.server.transport.sse;

import dev.herald.server.delivery.CloseReason;
import dev.herald.server.transport.ChannelSession;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A Server-Sent Events stream as the delivery core sees it. Each event becomes
 * {@code id: <seq>\ndata: <json>\n\n}; events without a seq (unread counts, Herald's own frames)
 * carry no {@code id}, so the browser's {@code Last-Event-ID} always names the last stored
 * notification it saw. The JSON bytes are shared, not copied.
 *
 * <p>Loop-confined, like every session.
 */
final class SseSession extends ChannelSession {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final BooleanSupplier closing;

    /** @param closing true once the last chunk was written: nothing may be written after it */
    SseSession(String id, String userId, ChannelHandlerContext ctx, HeraldMetrics metrics, Consumer<CloseReason> closer,
               BooleanSupplier closing) {
        super(id, userId, ctx, metrics, closer);
        this.closing = closing;
    }

    @Override
    public boolean isOpen() {
        return super.isOpen() && !closing.getAsBoolean();
    }

    /** The wire form of one event: pure, for tests. */
    static ByteBuf encode(long seq, byte[] json) {
        ByteBuf prefix = seq > 0
                ? Unpooled.wrappedBuffer(("id: " + seq + "\n").getBytes(StandardCharsets.US_ASCII), DATA)
                : Unpooled.wrappedBuffer(DATA);
        return Unpooled.wrappedBuffer(prefix, Unpooled.wrappedBuffer(json), Unpooled.wrappedBuffer(END));
    }

    @Override
    public void deliver(StreamEvent event) {
        if (closing.getAsBoolean()) {
            return;
        }
        ctx.write(new DefaultHttpContent(encode(event.seq(), event.json())), ctx.voidPromise());
        metrics.frameOut();
    }

    /** Writes one of Herald's own frames (no id). */
    void send(byte[] json) {
        if (closing.getAsBoolean()) {
            return;
        }
        ctx.write(new DefaultHttpContent(encode(0, json)), ctx.voidPromise());
        metrics.frameOut();
    }

    /** An SSE comment: keeps proxies from closing an idle stream; clients ignore it. */
    void comment(String text) {
        if (closing.getAsBoolean()) {
            return;
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": " + text + "\n\n", StandardCharsets.US_ASCII)));
    }
}
