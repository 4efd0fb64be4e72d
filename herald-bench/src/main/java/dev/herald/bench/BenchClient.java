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
 * (Herald's notification or chat frames, Socket.IO framing with ping/pong, Herald's Socket.IO
 * events, or raw frames from the bare server), timestamps every benchmark message into the
 * shared {@link LoadContext}, and keeps its own counts: received messages, and for Herald the
 * seq cursor with gaps and duplicates.
 *
 * <p>A Herald chat client ({@link Target.Subscription#conversation()} set) joins its conversation
 * after {@code connected} and is ready at {@code joined}. Its own messages come back to it as
 * {@code message} frames too: they count for the seq check (one stream per conversation) but
 * not as deliveries; its {@code ack}s go to {@link LoadContext#acks}. Over Herald's Socket.IO the
 * same with {@code joinConversation} (ack 0) after {@code 40}, {@code newMessage} events and
 * {@code sendMessage} acks (1, 2, ...); a notification client counts {@code notification} events
 * (seq checked from its {@code auth.since} when it resumes, else from the first one) and ignores
 * the others ({@code unreadCount}, presence).
 *
 * <p>Threading: every field but {@link #ready} is written only on the channel's event loop; read
 * them from elsewhere after {@link LoadContext#barrier()}.
 */
final class BenchClient extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final byte[] HERALD_CONNECTED =
            "{\"type\":\"connected\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SINCE = FrameScanner.key("since");
    private static final byte[] SIO_NOTIFICATION = SocketIoPackets.eventPrefix("notification");
    private static final byte[] SIO_NEW_MESSAGE = SocketIoPackets.eventPrefix("newMessage");
    private static final byte[] SIO_ERROR = SocketIoPackets.eventPrefix("error");
    private static final byte[] ERROR_KEY = FrameScanner.key("error");
    private static final byte[] LAST_SEQ = FrameScanner.key("lastSeq");
    /** Herald Socket.IO: the ack id of {@code joinConversation}; sends use 1, 2, ... */
    private static final long JOIN_ACK = 0;

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
    /** Socket.IO: the CONNECT packet answering the Engine.IO open ({@link Target#connectPacket}). */
    private final String connectPacket;
    /** Herald Socket.IO chat: the ack id of the next {@code sendMessage}. */
    private long nextAck = JOIN_ACK + 1;

    BenchClient(Target target, Target.Subscription sub, String connectPacket, LoadContext ctx, ReadyListener listener) {
        this.target = target;
        this.sub = sub;
        this.connectPacket = connectPacket;
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
            case HERALD_SIO -> onHeraldSocketIo(c, text);
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
            case MESSAGE -> onChatMessage(text);
            case ACK -> onChatAck(text);
            case CONNECTED -> channel.writeAndFlush(new TextWebSocketFrame(HeraldChatFrames.join(sub.conversation())));
            case JOINED -> {
                lastSeq = FrameScanner.longField(text, Payload.SEQ, 0);
                settle(true);
            }
            case ERROR -> onChatError(text);
            default -> { }
        }
    }

    private void onSocketIo(ChannelHandlerContext c, ByteBuf text) {
        switch (SocketIoPackets.kind(text)) {
            case OPEN -> c.writeAndFlush(new TextWebSocketFrame(connectPacket));
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

    private void onHeraldSocketIo(ChannelHandlerContext c, ByteBuf text) {
        switch (SocketIoPackets.kind(text)) {
            case EVENT -> {
                if (FrameScanner.startsWith(text, SIO_NOTIFICATION)) {
                    onMessage(text, FrameScanner.longField(text, Payload.SEQ, -1));
                } else if (ownSender != null && FrameScanner.startsWith(text, SIO_NEW_MESSAGE)) {
                    onChatMessage(text);
                } else if (FrameScanner.startsWith(text, SIO_ERROR)) {
                    onChatError(text);
                }
            }
            case ACK -> {
                long id = SocketIoPackets.ackId(text);
                if (SocketIoPackets.ackStartsWithKey(text, ERROR_KEY)) {
                    onChatError(text);
                } else if (id == JOIN_ACK) {
                    lastSeq = FrameScanner.longField(text, LAST_SEQ, 0);
                    settle(true);
                } else {
                    onChatAck(text);
                }
            }
            case PING -> c.writeAndFlush(new TextWebSocketFrame(SocketIoPackets.PONG));
            case OPEN -> c.writeAndFlush(new TextWebSocketFrame(connectPacket));
            case CONNECTED -> {
                if (ownSender != null) {
                    c.writeAndFlush(new TextWebSocketFrame(HeraldChatFrames.joinEvent(JOIN_ACK, sub.conversation())));
                    return;
                }
                // Notifications follow this packet; with auth.since the first one is since + 1.
                if (lastSeq < 0 && sub.since() >= 0) {
                    lastSeq = sub.since();
                    if (lastSeq >= ctx.catchUpSeq) {
                        ctx.caughtUp.increment();
                    }
                }
                settle(true);
            }
            case CONNECT_ERROR, DISCONNECT -> {
                failure = text.toString(StandardCharsets.UTF_8);
                c.close();
            }
            default -> { }
        }
    }

    /**
     * Herald chat: a message of the joined conversation (the {@code /ws/chat} {@code message}
     * frame or the Socket.IO {@code newMessage} event): a delivery unless this client sent it,
     * and the next seq of the conversation either way.
     */
    private void onChatMessage(ByteBuf text) {
        long seq = FrameScanner.longField(text, Payload.SEQ, -1);
        if (FrameScanner.indexOf(text, ownSender, text.readerIndex()) < 0) {
            delivered(text, Payload.T_IN_TEXT);
        }
        if (seq >= 0) {
            trackSeq(seq);
        }
    }

    /** Herald chat: the answer to one of this client's sends, carrying the stored message. */
    private void onChatAck(ByteBuf text) {
        long sent = FrameScanner.longField(text, Payload.T_IN_TEXT, -1);
        if (sent >= 0) {
            ctx.ackLatencyMicros.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
            ctx.acks.increment();
        }
    }

    /** Herald chat: a refusal (an error frame, event or ack); before the join it ends this client. */
    private void onChatError(ByteBuf text) {
        String error = text.toString(StandardCharsets.UTF_8);
        ctx.error(error);
        if (!ready) {
            failure = error;
            channel.close();
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

    /**
     * Herald chat: sends message {@code clientId} with {@code content} to this client's
     * conversation ({@code send_message} on {@code /ws/chat}, {@code sendMessage} with the next
     * ack id over Socket.IO). Only on the channel's event loop.
     */
    void sendChat(String clientId, String content) {
        long conversation = sub.conversation();
        send(target == Target.HERALD_SIO
                ? HeraldChatFrames.sendMessageEvent(nextAck++, conversation, clientId, content)
                : HeraldChatFrames.sendMessage(conversation, clientId, content));
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
