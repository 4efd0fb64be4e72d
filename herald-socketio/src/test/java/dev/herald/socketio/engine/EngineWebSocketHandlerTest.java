package dev.herald.socketio.engine;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Engine.IO WebSocket transport on an {@link EmbeddedChannel} without a socket: the
 * handshake through the real HTTP codec, the open packet, messages both ways, heartbeats on the
 * channel's frozen clock, and how each way of ending the session closes the connection (close
 * frame code and reason, then the channel). The official suite covers the same ground end to end
 * ({@code EngineIoProtocolSuiteTest}) but cannot tell one close code from another.
 */
class EngineWebSocketHandlerTest {
    private static final String WS = "/socket.io/?EIO=4&transport=websocket";

    private final RecordingListener app = new RecordingListener();
    private EngineIoServer engine;
    private WsPeer peer;

    /** Opens a WebSocket session and reads its open packet. */
    private EngineSession open(EngineIoConfig config) {
        engine = new EngineIoServer(config, app::open);
        peer = new WsPeer(EnginePipelines.httpServer(engine));
        String head = peer.upgrade(WS);
        assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                .containsIgnoringCase("upgrade: websocket\r\n")
                .containsIgnoringCase("sec-websocket-accept: " + WsPeer.ACCEPT + "\r\n");
        EngineSession s = app.session();
        assertThat(peer.nextText()).isEqualTo("0{\"sid\":\"" + s.id() + "\",\"upgrades\":[],\"pingInterval\":"
                + config.pingInterval().toMillis() + ",\"pingTimeout\":" + config.pingTimeout().toMillis()
                + ",\"maxPayload\":" + config.maxPayload() + "}");
        return s;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.closeAll();
        }
        if (peer != null) {
            peer.close();
        }
    }

    /** The close frame the server ended with, and that it closed the channel after it. */
    private void assertClosedWith(int code, String reason) {
        WebSocketFrame f = peer.next();
        assertThat(f).as("a close frame").isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame close = (CloseWebSocketFrame) f;
        try {
            assertThat(close.statusCode()).isEqualTo(code);
            assertThat(close.reasonText()).isEqualTo(reason);
        } finally {
            close.release();
        }
        assertThat(peer.server.isOpen()).as("the connection is closed after the close frame").isFalse();
    }

    @Test
    void aHandshakeOpensAWebSocketSessionWhoseFirstFrameIsTheOpenPacket() {
        EngineSession s = open(EngineIoConfig.defaults());
        assertThat(s.transportName()).isEqualTo("websocket");
        assertThat(s.id()).matches("[A-Za-z0-9_-]{20}");
        assertThat(engine.sessions()).containsExactly(s);
        assertThat(peer.next()).as("nothing else until something is sent").isNull();
    }

    @Test
    void textAndBinaryMessagesTravelBothWaysAndInboundFramesAreReleased() {
        EngineSession s = open(EngineIoConfig.defaults());
        TextWebSocketFrame text = new TextWebSocketFrame("4héllo");
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        peer.send(text);
        peer.send(binary);
        assertThat(app.messages).containsExactly("héllo");
        assertThat(app.binaries).containsExactly(new byte[] {1, 2, 3});
        assertThat(text.refCnt()).isZero();
        assertThat(binary.refCnt()).isZero();

        s.send(EnginePacket.message("hi"));
        s.send(EnginePacket.binary(new byte[] {9, 8}));
        assertThat(peer.nextText()).isEqualTo("4hi");
        WebSocketFrame out = peer.next();
        assertThat(out).isInstanceOf(BinaryWebSocketFrame.class);
        assertThat(ByteBufUtil.getBytes(out.content())).containsExactly(9, 8);
        out.release();
    }

    @Test
    void maskedFramesFromTheWireAndFragmentedMessagesArriveWhole() {
        open(EngineIoConfig.defaults());
        peer.sendBytes(new TextWebSocketFrame("4one"));
        peer.sendBytes(new TextWebSocketFrame(false, 0, "4tw"));
        peer.sendBytes(new ContinuationWebSocketFrame(true, 0, "o"));
        assertThat(app.messages).containsExactly("one", "two");
    }

    @Test
    void aWebSocketPingIsAnsweredWithAPongCarryingItsPayload() {
        open(EngineIoConfig.defaults());
        PingWebSocketFrame ping = new PingWebSocketFrame(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
        peer.send(ping);
        WebSocketFrame pong = peer.next();
        assertThat(pong).isInstanceOf(PongWebSocketFrame.class);
        assertThat(pong.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        pong.release();
        assertThat(ping.refCnt()).isZero();
    }

    @Test
    void theServerPingsEveryIntervalAndEachPongKeepsTheSessionOpen() {
        EngineIoConfig config = EngineIoConfig.defaults().withPing(Duration.ofSeconds(25), Duration.ofSeconds(20));
        EngineSession s = open(config);
        for (int round = 0; round < 3; round++) {
            // A round starts at the open or at the last pong; the timeout of the ping before
            // (20 s after it) falls inside the next 25 s, where nothing may be written.
            peer.server.advanceTimeBy(24_999, TimeUnit.MILLISECONDS);
            assertThat(peer.next()).as("nothing before the interval, no timeout after a pong").isNull();
            peer.server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            assertThat(peer.nextText()).isEqualTo("2");
            peer.server.advanceTimeBy(19_999, TimeUnit.MILLISECONDS);
            peer.send(new TextWebSocketFrame("3"));
        }
        assertThat(app.closeReasons).isEmpty();
        assertThat(peer.server.isOpen()).isTrue();
        assertThat(s.isClosed()).isFalse();
    }

    @Test
    void aClientThatMissesThePongIsClosedWith1000PingTimeout() {
        open(EngineIoConfig.defaults().withPing(Duration.ofSeconds(25), Duration.ofSeconds(20)));
        peer.server.advanceTimeBy(25, TimeUnit.SECONDS);
        assertThat(peer.nextText()).isEqualTo("2");
        peer.server.advanceTimeBy(19_999, TimeUnit.MILLISECONDS);
        assertThat(peer.next()).isNull();
        peer.server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        assertClosedWith(1000, "ping timeout");
        assertThat(app.closeReasons).containsExactly("ping timeout");
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void textThatIsNotUtf8IsAParseErrorThatClosesWith1000() {
        open(EngineIoConfig.defaults());
        TextWebSocketFrame bad = new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'4', (byte) 0xC3, (byte) 0x28}));
        peer.send(bad);
        assertThat(bad.refCnt()).isZero();
        assertClosedWith(1000, "parse error");
        assertThat(app.closeReasons).containsExactly("parse error");
        assertThat(app.messages).isEmpty();
    }

    @Test
    void aTextFrameThatIsNotAnEnginePacketIsAParseError() {
        open(EngineIoConfig.defaults());
        peer.send(new TextWebSocketFrame("x42"));
        assertClosedWith(1000, "parse error");
        assertThat(app.closeReasons).containsExactly("parse error");
    }

    @Test
    void anEmptyTextFrameIsAParseError() {
        open(EngineIoConfig.defaults());
        peer.send(new TextWebSocketFrame(""));
        assertClosedWith(1000, "parse error");
    }

    @Test
    void aClosePacketFromTheClientEndsTheSessionWithACloseFrame() {
        open(EngineIoConfig.defaults());
        peer.send(new TextWebSocketFrame("1"));
        assertClosedWith(1000, "transport close");
        assertThat(app.closeReasons).containsExactly("transport close");
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void aCloseFrameFromTheClientIsAnsweredWithACloseFrameAndEndsTheSession() {
        open(EngineIoConfig.defaults());
        CloseWebSocketFrame close = new CloseWebSocketFrame(1000, "bye");
        peer.send(close);
        assertClosedWith(1000, "bye");
        assertThat(close.refCnt()).isZero();
        assertThat(app.closeReasons).containsExactly("transport close");
    }

    @Test
    void aConnectionThatDropsEndsTheSession() {
        EngineSession s = open(EngineIoConfig.defaults());
        peer.server.close();
        peer.server.runPendingTasks();
        assertThat(app.closeReasons).containsExactly("transport close");
        assertThat(engine.sessions()).isEmpty();
        s.send(EnginePacket.message("after"));
        assertThat(peer.next()).as("nothing is written after the end").isNull();
    }

    @Test
    void aServerCloseSendsCloseFrame1000ForcedClose() {
        EngineSession s = open(EngineIoConfig.defaults());
        s.close();
        assertClosedWith(1000, "forced close");
        assertThat(app.closeReasons).containsExactly("forced close");
    }

    @Test
    void aFrameOverMaxPayloadIsRefusedWith1009() {
        open(EngineIoConfig.defaults().withMaxPayload(16));
        peer.sendBytes(new TextWebSocketFrame("4" + "x".repeat(16)));
        WebSocketFrame f = peer.next();
        assertThat(f).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) f).statusCode()).isEqualTo(1009);
        f.release();
        assertThat(peer.server.isOpen()).isFalse();
        peer.server.runPendingTasks();
        assertThat(app.messages).isEmpty();
        assertThat(app.closeReasons).containsExactly("transport close");
    }

    @Test
    void aFragmentedMessageOverMaxPayloadIsRefusedWith1009() {
        open(EngineIoConfig.defaults().withMaxPayload(16));
        TextWebSocketFrame first = new TextWebSocketFrame(false, 0, "4" + "x".repeat(10));
        ContinuationWebSocketFrame last = new ContinuationWebSocketFrame(true, 0, "y".repeat(10));
        peer.send(first);
        peer.send(last);
        assertThat(first.refCnt()).isZero();
        assertThat(last.refCnt()).isZero();
        WebSocketFrame f = peer.next();
        assertThat(f).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) f).statusCode()).isEqualTo(1009);
        f.release();
        assertThat(peer.server.isOpen()).isFalse();
        peer.server.runPendingTasks();
        assertThat(app.messages).isEmpty();
        assertThat(app.closeReasons).containsExactly("transport close");
    }

    @Test
    void outboundBytesOverTheBufferCapCloseTheSessionForTransportBufferFull() {
        // The cap counts unflushed bytes (Netty adds a small overhead per queued write).
        EngineSession s = open(EngineIoConfig.defaults().withMaxBufferedBytes(1000));
        s.send(EnginePacket.message("x".repeat(500)));
        assertThat(peer.nextText()).isEqualTo("4" + "x".repeat(500));
        assertThat(app.closeReasons).isEmpty();
        s.send(EnginePacket.message("y".repeat(1000)));
        assertThat(app.closeReasons).containsExactly("transport buffer full");
        assertThat(peer.nextText()).as("what was written goes out before the close frame")
                .isEqualTo("4" + "y".repeat(1000));
        assertClosedWith(1000, "transport buffer full");
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void framesBeforeTheHandshakeCompletedCloseTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new EngineWebSocketHandler());
        TextWebSocketFrame early = new TextWebSocketFrame("4early");
        ch.writeInbound(early);
        assertThat(early.refCnt()).isZero();
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aWebSocketForAnUnknownSidIsRefusedWith400CodeOneAndNoUpgrade() {
        engine = new EngineIoServer(EngineIoConfig.defaults(), app::open);
        EmbeddedChannel ch = EnginePipelines.router(engine);
        var request = EnginePipelines.get(WS + "&sid=nope");
        request.headers().set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Key", WsPeer.KEY).set("Sec-WebSocket-Version", "13");
        ch.writeInbound(request);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.status().code()).isEqualTo(400);
        assertThat(EnginePipelines.bodyOf(res)).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
        assertThat(request.refCnt()).isZero();
        assertThat(app.sessions).isEmpty();
        ch.finishAndReleaseAll();
    }
}
