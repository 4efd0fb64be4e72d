package dev.herald.socketio.engine;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upgrade from long-polling to WebSocket, on {@link EmbeddedChannel}s: a polling session
 * on one connection, the probe on a second ({@code 2probe}, {@code 3probe}, {@code 5}), what
 * happens to the poll that waits and to packets sent meanwhile, and the probes that fail: a wrong
 * first packet, silence until the upgrade timeout, a dropped probe connection, a second WebSocket
 * for a session already upgraded. The session lives on the polling connection's loop, whose
 * frozen clock the timeouts run on.
 */
class EngineUpgradeTest {
    private static final String EIO = "/socket.io/?EIO=4&transport=";

    private final RecordingListener app = new RecordingListener();
    private final List<WsPeer> peers = new ArrayList<>();
    private EngineIoServer engine;
    private EmbeddedChannel polls;
    private EngineSession session;

    @BeforeEach
    void openAPollingSession() {
        engine = new EngineIoServer(EngineIoConfig.defaults(), app::open);
        polls = EnginePipelines.router(engine);
        polls.writeInbound(EnginePipelines.get(EIO + "polling"));
        EnginePipelines.bodyOf(polls.readOutbound());
        session = app.session();
    }

    @AfterEach
    void close() {
        engine.closeAll();
        polls.runPendingTasks();
        peers.forEach(WsPeer::close);
        polls.finishAndReleaseAll();
    }

    /** A WebSocket for the session, shaken hands: its peer. */
    private WsPeer probe() {
        WsPeer peer = new WsPeer(EnginePipelines.httpServer(engine));
        peers.add(peer);
        assertThat(peer.upgrade(EIO + "websocket&sid=" + session.id()))
                .startsWith("HTTP/1.1 101 Switching Protocols\r\n");
        return peer;
    }

    /** Sends a poll on the polling connection; its answer, or null while it waits. */
    private FullHttpResponse poll() {
        polls.writeInbound(EnginePipelines.get(EIO + "polling&sid=" + session.id()));
        polls.runPendingTasks();
        return polls.readOutbound();
    }

    private FullHttpResponse post(String body) {
        polls.writeInbound(EnginePipelines.post(EIO + "polling&sid=" + session.id(), body));
        polls.runPendingTasks();
        return polls.readOutbound();
    }

    private FullHttpResponse answer() {
        polls.runPendingTasks();
        return polls.readOutbound();
    }

    @Test
    void aCompletedUpgradeMovesTheSessionAndItsQueuedPacketsToTheWebSocket() {
        assertThat(poll()).isNull();
        WsPeer ws = probe();
        assertThat(ws.next()).as("a probe connection gets no open packet").isNull();
        ws.send(new TextWebSocketFrame("2probe"));
        assertThat(ws.nextText()).isEqualTo("3probe");
        assertThat(EnginePipelines.bodyOf(answer())).as("the waiting poll ends with a noop").isEqualTo("6");

        session.send(EnginePacket.message("queued"));
        assertThat(ws.next()).as("still polling until 5").isNull();
        ws.send(new TextWebSocketFrame("5"));
        assertThat(session.transportName()).isEqualTo("websocket");
        assertThat(ws.nextText()).isEqualTo("4queued");
        session.send(EnginePacket.message("live"));
        assertThat(ws.nextText()).isEqualTo("4live");
        ws.send(new TextWebSocketFrame("4from the client"));
        assertThat(app.messages).containsExactly("from the client");

        FullHttpResponse late = poll();
        assertThat(late.status().code()).isEqualTo(400);
        assertThat(EnginePipelines.bodyOf(late)).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        FullHttpResponse latePost = post("4x");
        assertThat(latePost.status().code()).isEqualTo(400);
        assertThat(EnginePipelines.bodyOf(latePost)).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(app.messages).containsExactly("from the client");
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void aPollDuringTheProbeWaitsForTheProbeToSettleThenEndsWithANoop() {
        WsPeer ws = probe();
        assertThat(poll()).as("held while the probe's frames may still be in flight").isNull();
        ws.send(new TextWebSocketFrame("2probe"));
        assertThat(ws.nextText()).isEqualTo("3probe");
        polls.advanceTimeBy(20, TimeUnit.MILLISECONDS);
        assertThat(EnginePipelines.bodyOf(answer())).isEqualTo("6");
        ws.send(new TextWebSocketFrame("5"));
        assertThat(session.transportName()).isEqualTo("websocket");
    }

    @Test
    void aProbeThatDoesNotStartWithPingProbeIsClosedAndTheSessionStaysOnPolling() {
        WsPeer ws = probe();
        ws.send(new TextWebSocketFrame("4hello"));
        assertThat(ws.server.isOpen()).isFalse();
        assertThat(app.messages).as("a probe carries no messages").isEmpty();
        polls.runPendingTasks();
        assertThat(session.transportName()).isEqualTo("polling");
        assertThat(poll()).isNull();
        session.send(EnginePacket.message("still polling"));
        assertThat(EnginePipelines.bodyOf(answer())).isEqualTo("4still polling");
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void anUpgradeWithoutFiveBeforeTheUpgradeTimeoutIsAbandoned() {
        WsPeer ws = probe();
        ws.send(new TextWebSocketFrame("2probe"));
        assertThat(ws.nextText()).isEqualTo("3probe");
        polls.advanceTimeBy(9_999, TimeUnit.MILLISECONDS);
        polls.runPendingTasks();
        assertThat(ws.server.isOpen()).isTrue();
        polls.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        polls.runPendingTasks();
        assertThat(ws.server.isOpen()).as("closed at the upgrade timeout").isFalse();
        assertThat(session.transportName()).isEqualTo("polling");
        session.send(EnginePacket.message("m"));
        assertThat(EnginePipelines.bodyOf(poll())).isEqualTo("4m");
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void aProbeConnectionThatDropsLeavesTheSessionOnPolling() {
        WsPeer ws = probe();
        ws.server.close();
        polls.runPendingTasks();
        assertThat(poll()).as("a poll waits as usual, not for a probe").isNull();
        session.send(EnginePacket.message("m"));
        assertThat(EnginePipelines.bodyOf(answer())).isEqualTo("4m");
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void aSecondWebSocketForAnUpgradedSessionIsClosedWith1008() {
        WsPeer first = probe();
        first.send(new TextWebSocketFrame("2probe"));
        assertThat(first.nextText()).isEqualTo("3probe");
        first.send(new TextWebSocketFrame("5"));
        WsPeer second = probe();
        WebSocketFrame f = second.next();
        assertThat(f).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) f).statusCode()).isEqualTo(1008);
        assertThat(((CloseWebSocketFrame) f).reasonText()).isEqualTo("session already upgraded");
        f.release();
        assertThat(second.server.isOpen()).isFalse();
        session.send(EnginePacket.message("m"));
        assertThat(first.nextText()).as("the upgraded WebSocket is untouched").isEqualTo("4m");
    }

    @Test
    void theUpgradedWebSocketDroppingEndsTheSession() {
        WsPeer ws = probe();
        ws.send(new TextWebSocketFrame("2probe"));
        ws.nextText();
        ws.send(new TextWebSocketFrame("5"));
        ws.server.close();
        polls.runPendingTasks();
        assertThat(app.closeReasons).containsExactly("transport close");
        assertThat(engine.sessions()).isEmpty();
    }
}
