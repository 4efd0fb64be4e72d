package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * One load-generator connection: the last handler of its channel. Speaks the target's protocol
 * (Herald's notification or chat frames, Socket.IO framing with ping/pong, or raw frames from the
 * bare server), timestamps every benchmark message into the shared {@link LoadContext}, and keeps
 * its own counts: received messages, and for Herald the seq cursor with gaps and duplicates.
 *
 * <p>A Herald chat client ({@link Target.Subscription#conversation()} set) joins its conversation
 * after {@code connected} and is ready at {@code joined}. Its own messages come back to it as
 * {@code message} frames too: they count for the seq check (one stream per conversation) but
 * not as deliveries; its {@code ack}s go to {@link LoadContext#acks}.
 *
 * <p>Threading: every field but {@link #ready} is written only on the channel's event loop; read
 * them from elsewhere after {@link LoadContext#barrier()}.
 */
final class BenchClient extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final byte[] HERALD_CONNECTED =
            "{\"type\":\"connected\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SINCE = FrameScanner.key("since");

    /** Told once when the client is ready (true) or failed before being ready (false). */
    interface ReadyListener {
        void settled(BenchClient client, boolean ready);
    }

    final Target target;
    final Target.Subscription sub;
    private final LoadContext ctx;
    private final ReadyListener listener;
    private boolean settled;
    volatile boolean ready;
    Channel channel;
    long received;
    /** Herald: the highest seq received (or the resume point); -1 before `connected`. */
    long lastSeq = -1;
    long gaps;
    long duplicates;
    long lastReceiveNanos;
    String failure;
    /** Herald chat: {@link HeraldChatFrames#sender} of this client's user, to tell its own messages apart. */
    private final byte[] ownSender;

    BenchClient(Target target, Target.Subscription sub, LoadContext ctx, ReadyListener listener) {
        this.target = target;
        this.sub = sub;
        this.ctx = ctx;
        this.listener = listener;
        this.ownSender = sub.conversation() >= 0 ? HeraldChatFrames.sender(sub.user()) : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) throws Exception {
        channel = c.channel();
        super.channelActive(c);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE && target == Target.NETTY) {
            settle(true);
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            failure = "handshake timeout";
            c.close();
        }
        super.userEventTriggered(c, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext c, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        ByteBuf text = frame.content();
        switch (target) {
            case HERALD -> onHerald(text);
            case SOCKETIO -> onSocketIo(c, text);
            case NETTY -> onMessage(text, -1);
        }
    }

    private void onHerald(ByteBuf text) {
        if (ownSender != null) {
            onHeraldChat(text);
            return;
        }
        if (FrameScanner.startsWith(text, HERALD_CONNECTED)) {
            long seq = FrameScanner.longField(text, Payload.SEQ, 0);
            long since = FrameScanner.longField(text, SINCE, -1);
            lastSeq = since >= 0 ? since : seq;
            if (lastSeq >= ctx.catchUpSeq) {
                ctx.caughtUp.increment();
            }
            settle(true);
            return;
        }
        long seq = FrameScanner.longField(text, Payload.SEQ, -1);
        if (seq >= 0 && FrameScanner.indexOf(text, Payload.T, text.readerIndex()) >= 0) {
            onMessage(text, seq);
        }
    }

    private void onHeraldChat(ByteBuf text) {
        switch (HeraldChatFrames.kind(text)) {
            case MESSAGE -> {
                long seq = FrameScanner.longField(text, Payload.SEQ, -1);
                if (FrameScanner.indexOf(text, ownSender, text.readerIndex()) < 0) {
                    delivered(text, Payload.T_IN_TEXT);
                }
                if (seq >= 0) {
                    trackSeq(seq);
                }
            }
            case ACK -> {
                long sent = FrameScanner.longField(text, Payload.T_IN_TEXT, -1);
                if (sent >= 0) {
                    ctx.ackLatencyMicros.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
                    ctx.acks.increment();
                }
            }
            case CONNECTED -> channel.writeAndFlush(new TextWebSocketFrame(HeraldChatFrames.join(sub.conversation())));
            case JOINED -> {
                lastSeq = FrameScanner.longField(text, Payload.SEQ, 0);
                settle(true);
            }
            case ERROR -> {
                String error = text.toString(StandardCharsets.UTF_8);
                ctx.error(error);
                if (!ready) {   // the join was refused: this client cannot take part
                    failure = error;
                    channel.close();
                }
            }
            default -> { }
        }
    }

    private void onSocketIo(ChannelHandlerContext c, ByteBuf text) {
        switch (SocketIoPackets.kind(text)) {
            case OPEN -> c.writeAndFlush(new TextWebSocketFrame(SocketIoPackets.CONNECT));
            case PING -> c.writeAndFlush(new TextWebSocketFrame(SocketIoPackets.PONG));
            case CONNECTED -> settle(true);
            case EVENT -> onMessage(text, -1);
            case CONNECT_ERROR, DISCONNECT -> {
                failure = text.toString(StandardCharsets.UTF_8);
                c.close();
            }
            default -> { }
        }
    }

    private void onMessage(ByteBuf text, long seq) {
        if (delivered(text, Payload.T) && seq >= 0) {
            trackSeq(seq);
        }
    }

    /** Counts a benchmark message whose send time follows {@code timeKey}; false when it has none. */
    private boolean delivered(ByteBuf text, byte[] timeKey) {
        long now = System.nanoTime();
        long sent = FrameScanner.longField(text, timeKey, -1);
        if (sent < 0) {
            return false;
        }
        ctx.latencyMicros.recordValue(Math.max(0, (now - sent) / 1000));
        received++;
        lastReceiveNanos = now;
        ctx.delivered.increment();
        return true;
    }

    /** Herald: checks {@code seq} against the cursor (gap, duplicate) and moves the cursor. */
    private void trackSeq(long seq) {
        if (lastSeq >= 0 && seq != lastSeq + 1) {
            if (seq <= lastSeq) {
                duplicates++;
            } else {
                gaps += seq - lastSeq - 1;
            }
        }
        if (seq > lastSeq) {
            lastSeq = seq;
            if (seq == ctx.catchUpSeq) {
                ctx.caughtUp.increment();
            }
        }
    }

    /** Sends one text frame (chat); safe from any thread. */
    void send(String text) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new TextWebSocketFrame(text), ch.voidPromise());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) throws Exception {
        ready = false;
        if (failure == null) {
            failure = "closed by the server";
        }
        settle(false);
        super.channelInactive(c);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        failure = String.valueOf(cause.getMessage());
        c.close();
    }

    /** Called by the pool when the TCP connect itself failed. */
    void connectFailed(Throwable cause) {
        failure = "connect: " + cause.getMessage();
        settle(false);
    }

    private void settle(boolean ok) {
        if (ok) {
            ready = true;
        }
        if (!settled) {
            settled = true;
            listener.settled(this, ok);
        }
    }
}
