package dev.herald.socketio.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client end of one WebSocket to an {@link EnginePipelines#httpServer} channel: writes the
 * upgrade request as bytes, reads the server's bytes back as the HTTP answer and then as frames
 * (decoded as a client would, unmasked). Frames go in either as bytes, masked as a client sends
 * them, or as frame objects, which the server's WebSocket decoder passes on untouched, so a test
 * can check the server released them.
 */
final class WsPeer implements AutoCloseable {
    /** RFC 6455's sample key, and the accept value the server must answer it with (section 1.3). */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    final EmbeddedChannel server;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, true, 1 << 24));
    private final EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
    private ByteBuf head = Unpooled.buffer();

    WsPeer(EmbeddedChannel server) {
        this.server = server;
    }

    /**
     * Sends the upgrade request and returns the answer's head (status line and headers, up to the
     * blank line); bytes after it are frames. Checks that the request's bytes were released.
     */
    String upgrade(String uri) {
        ByteBuf request = Unpooled.copiedBuffer("GET " + uri + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII);
        server.writeInbound(request);
        runTasks();
        assertThat(request.refCnt()).as("the upgrade request's bytes are released").isZero();
        ByteBuf out;
        while ((out = server.readOutbound()) != null) {
            head.writeBytes(out);
            out.release();
        }
        int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), head);
        assertThat(end).as("a complete HTTP answer").isNotNegative();
        String text = head.readCharSequence(end + 4, StandardCharsets.US_ASCII).toString();
        if (head.isReadable()) {
            decoder.writeInbound(head.retain());
        }
        head.release();
        head = null;
        return text;
    }

    /** Sends a frame object past the server's WebSocket decoder, straight to the frame handlers. */
    void send(WebSocketFrame frame) {
        server.writeInbound(frame);
        runTasks();
    }

    /** Sends a frame as a client would: masked, as bytes through the server's WebSocket decoder. */
    void sendBytes(WebSocketFrame frame) {
        encoder.writeOutbound(frame);
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            server.writeInbound(b);
        }
        runTasks();
    }

    /** Runs what is due on the server's loop, including tasks those tasks queue (a flush after a timer). */
    void runTasks() {
        for (int i = 0; i < 100 && server.hasPendingTasks(); i++) {
            server.runPendingTasks();
        }
    }

    /** The next frame the server wrote, or null when it wrote nothing more; the caller releases it. */
    WebSocketFrame next() {
        runTasks();
        ByteBuf out;
        while ((out = server.readOutbound()) != null) {
            decoder.writeInbound(out);
        }
        return decoder.readInbound();
    }

    /** The next frame, which must be a text frame; its text. */
    String nextText() {
        WebSocketFrame f = next();
        assertThat(f).as("a frame was written").isInstanceOf(TextWebSocketFrame.class);
        try {
            return ((TextWebSocketFrame) f).text();
        } finally {
            f.release();
        }
    }

    @Override
    public void close() {
        if (head != null) {
            head.release();
        }
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
