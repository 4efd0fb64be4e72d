package dev.herald.socketio.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes frames to one WebSocket without a syscall per frame: frames are written unflushed and
 * one flush per event-loop pass follows. When the writer runs on another loop than the channel
 * (a session upgraded from polling lives on the loop of its first request), frames are handed
 * over in a queue drained in one task, instead of one write task and one flush task per frame.
 *
 * <p>Thread-safe. {@link #pendingBytes()} counts handed-over and unflushed bytes, for the cap.
 */
final class WebSocketWriter {
    private final Channel ch;
    private final ConcurrentLinkedQueue<WebSocketFrame> handoff = new ConcurrentLinkedQueue<>();
    private final AtomicLong handoffBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    WebSocketWriter(Channel ch) {
        this.ch = ch;
    }

    Channel channel() {
        return ch;
    }

    void write(WebSocketFrame frame) {
        if (ch.eventLoop().inEventLoop()) {
            ch.write(frame, ch.voidPromise());
        } else {
            handoffBytes.addAndGet(frame.content().readableBytes());
            handoff.add(frame);
        }
        if (drainScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(drain);
        }
    }

    long pendingBytes() {
        ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return handoffBytes.get() + (ob == null ? 0 : ob.totalPendingWriteBytes());
    }

    private void drain() {
        // Cleared first: a frame added while draining schedules another pass rather than being missed.
        drainScheduled.set(false);
        WebSocketFrame f;
        while ((f = handoff.poll()) != null) {
            handoffBytes.addAndGet(-f.content().readableBytes());
            ch.write(f, ch.voidPromise());
        }
        ch.flush();
    }
}
