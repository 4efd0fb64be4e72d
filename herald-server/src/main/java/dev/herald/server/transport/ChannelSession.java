package dev.herald.server.transport;

import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.Session;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

import java.util.function.Consumer;

/**
 * What every {@link Session} on one Netty channel shares: identity, the owning loop, writability
 * from the channel's watermarks (the outbound cap), one flush per dispatch pass, and closing
 * through the transport's own handler. Subclasses only say how an event is written.
 *
 * <p>Loop-confined, like every {@link Session}.
 */
public abstract class ChannelSession implements Session {
    private final String id;
    private final String userId;
    protected final ChannelHandlerContext ctx;
    protected final HeraldMetrics metrics;
    private final Consumer<CloseReason> closer;
    private boolean flushPending; // only on the loop

    protected ChannelSession(String id, String userId, ChannelHandlerContext ctx, HeraldMetrics metrics,
                             Consumer<CloseReason> closer) {
        this.id = id;
        this.userId = userId;
        this.ctx = ctx;
        this.metrics = metrics;
        this.closer = closer;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String userId() {
        return userId;
    }

    @Override
    public final EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public boolean isOpen() {
        return ctx.channel().isActive();
    }

    @Override
    public final boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /**
     * Bytes queued for this connection in Netty's outbound buffer (written, not yet taken by the
     * kernel): what the outbound cap bounds. Any thread (a volatile read), for tests and tools.
     */
    public final long queuedBytes() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public final void flush() {
        flushPending = false;
        ctx.flush();
    }

    @Override
    public final boolean markFlushPending() {
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    @Override
    public final void close(CloseReason reason) {
        closer.accept(reason);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + " user=" + userId + "]";
    }
}
