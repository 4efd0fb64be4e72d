package dev.herald.socketio.engine;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Turns the WebSocket frames of one connection into Engine.IO packets for its session (or for the
 * session it is probing during an upgrade). Frames are decoded on this channel's loop and handed to
 * the session's loop. Invalid packets, and text frames that are not UTF-8, close the session
 * ("parse error"). A client's close frame is answered with one before the connection ends
 * (RFC 6455 5.5.1); a message over {@code maxPayload} ends it with 1009, whether it came as one
 * frame (the WebSocket decoder answers) or in fragments (answered here).
 */
final class EngineWebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(EngineWebSocketHandler.class);

    /** Set once the handshake completed; only on this channel's loop. */
    private EngineSession session;

    void bind(EngineSession s) {
        this.session = s;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        EngineSession s = session;
        if (s == null) {
            // Frames before the handshake completed cannot come from a conforming client.
            ctx.close();
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            if (!ByteBufUtil.isText(text.content(), StandardCharsets.UTF_8)) {
                // text() would quietly turn the bad bytes into U+FFFD: a parse error instead.
                dispatch(s, () -> s.onWsDecodeError(ctx.channel()));
                return;
            }
            String data = text.text();
            EnginePacket packet;
            try {
                packet = EngineIoCodec.decodePacket(data);
            } catch (EngineDecodeException e) {
                dispatch(s, () -> s.onWsDecodeError(ctx.channel()));
                return;
            }
            dispatch(s, () -> s.onWsPacket(ctx.channel(), packet));
        } else if (frame instanceof BinaryWebSocketFrame bin) {
            EnginePacket packet = EnginePacket.binary(ByteBufUtil.getBytes(bin.content()));
            dispatch(s, () -> s.onWsPacket(ctx.channel(), packet));
        } else if (frame instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame close) {
            ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void dispatch(EngineSession s, Runnable r) {
        if (s.eventLoop().inEventLoop()) {
            r.run();
        } else {
            s.eventLoop().execute(r);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // Fragments adding up to more than maxPayload (the frame aggregator's limit).
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.debug("engine.io websocket {} closed after error: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
