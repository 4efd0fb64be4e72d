package dev.herald.socketio.engine;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Engine.IO long-polling transport on {@link EmbeddedChannel}s without a socket, request by
 * request: the handshake, payloads both ways, a poll held until there is something to send,
 * heartbeats on a frozen clock, the refusals (status and body) of malformed, oversized and
 * overlapping requests, and how each way of ending a session answers the poll that waits.
 * Sessions live on the loop of the first channel; a second channel plays the client's second
 * connection (browsers poll and post on separate connections).
 */
class EnginePollingTransportTest {
    private static final String EIO = "/socket.io/?EIO=4&transport=polling";
    private static final String RS = "\u001e";

    private final RecordingListener app = new RecordingListener();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private EngineIoServer engine;
    private EmbeddedChannel channel;

    private void start(EngineIoConfig config) {
        engine = new EngineIoServer(config, app::open);
        channel = connection();
    }

    /** Another client connection to the same server. */
    private EmbeddedChannel connection() {
        EmbeddedChannel ch = EnginePipelines.router(engine);
        channels.add(ch);
        return ch;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.closeAll();
        }
        for (EmbeddedChannel ch : channels) {
            ch.runPendingTasks();
            ch.finishAndReleaseAll();
        }
    }

    /** Sends a request on {@code ch}; the answer, or null while it is held (a waiting poll). */
    private static FullHttpResponse exchange(EmbeddedChannel ch, FullHttpRequest request) {
        ch.writeInbound(request);
        ch.runPendingTasks();
        assertThat(request.refCnt()).as("the request is released once handled").isZero();
        return ch.readOutbound();
    }

    private String handshake() {
        FullHttpResponse res = exchange(channel, EnginePipelines.get(EIO));
        assertThat(res.status().code()).isEqualTo(200);
        return EnginePipelines.bodyOf(res);
    }

    private String sid() {
        return app.session().id();
    }

    private String url() {
        return EIO + "&sid=" + sid();
    }

    private FullHttpResponse poll(EmbeddedChannel ch) {
        return exchange(ch, EnginePipelines.get(url()));
    }

    private FullHttpResponse post(EmbeddedChannel ch, String body) {
        return exchange(ch, EnginePipelines.post(url(), body));
    }

    private static void assertAnswer(FullHttpResponse res, int status, String body) {
        assertThat(res).as("an answer").isNotNull();
        assertThat(res.status().code()).isEqualTo(status);
        assertThat(EnginePipelines.bodyOf(res)).isEqualTo(body);
    }

    /** The answer a request gets for a session that is gone. */
    private void assertSessionUnknown() {
        assertAnswer(poll(connection()), 400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void theHandshakeAnswersTheOpenPacketWithUncachedHeaders() {
        engine = new EngineIoServer(EngineIoConfig.defaults(), app::open);
        channel = connection();
        FullHttpResponse res = exchange(channel, EnginePipelines.get(EIO));
        String sid = sid();
        assertThat(sid).matches("[A-Za-z0-9_-]{20}");
        assertThat(res.status().code()).isEqualTo(200);
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; charset=UTF-8");
        assertThat(res.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(res.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
        assertThat(res.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(res.content().readableBytes());
        assertThat(EnginePipelines.bodyOf(res)).isEqualTo("0{\"sid\":\"" + sid
                + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
        assertThat(app.session().transportName()).isEqualTo("polling");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void packetsQueuedBetweenPollsLeaveInOnePayloadInOrder() {
        start(EngineIoConfig.defaults());
        handshake();
        EngineSession s = app.session();
        s.send(EnginePacket.message("a"));
        s.send(EnginePacket.binary(new byte[] {1, 2, 3}));
        s.send(List.of(EnginePacket.message("é"), EnginePacket.message("")));
        FullHttpResponse res = poll(channel);
        assertThat(res.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(res.content().readableBytes());
        assertAnswer(res, 200, "4a" + RS + "bAQID" + RS + "4é" + RS + "4");
        assertThat(s.bufferedBytes()).isZero();
    }

    @Test
    void aPollWithNothingToSendWaitsForThePacket() {
        start(EngineIoConfig.defaults());
        handshake();
        assertThat(poll(channel)).as("held").isNull();
        app.session().send(EnginePacket.message("late"));
        channel.runPendingTasks();
        assertAnswer(channel.readOutbound(), 200, "4late");
    }

    @Test
    void aPostDeliversEachPacketInOrderAndIsAnsweredOk() {
        start(EngineIoConfig.defaults());
        handshake();
        assertAnswer(post(channel, "4one" + RS + "bAQID" + RS + "4two" + RS + "6"), 200, "ok");
        assertThat(app.messages).containsExactly("one", "two");
        assertThat(app.binaries).containsExactly(new byte[] {1, 2, 3});
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void aPostThatIsNotAPayloadIsRefusedWith400AndEndsTheSessionForParseError() {
        start(EngineIoConfig.defaults());
        handshake();
        assertAnswer(post(channel, "4ok" + RS + "x"), 400, "{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(app.messages).as("a payload is delivered whole or not at all").isEmpty();
        assertThat(app.closeReasons).containsExactly("parse error");
        assertSessionUnknown();
    }

    @Test
    void aPostOverMaxPayloadIsRefusedWith413AndEndsTheSession() {
        start(EngineIoConfig.defaults().withMaxPayload(16));
        handshake();
        assertAnswer(post(channel, "4" + "x".repeat(16)), 413, "{\"code\":3,\"message\":\"Payload too large\"}");
        assertThat(app.messages).isEmpty();
        assertThat(app.closeReasons).containsExactly("transport error");
        assertSessionUnknown();
    }

    @Test
    void aSecondPollWhileOneWaitsIsRefusedAndTheSessionEnds() {
        start(EngineIoConfig.defaults());
        handshake();
        assertThat(poll(channel)).isNull();
        EmbeddedChannel other = connection();
        assertAnswer(poll(other), 400, "{\"code\":3,\"message\":\"Overlapping poll\"}");
        channel.runPendingTasks();
        assertAnswer(channel.readOutbound(), 200, "1");
        assertThat(app.closeReasons).containsExactly("transport error");
    }

    @Test
    void theServerPingsAWaitingPollAndAPongKeepsTheSessionAlive() {
        start(EngineIoConfig.defaults().withPing(Duration.ofSeconds(25), Duration.ofSeconds(20)));
        handshake();
        EmbeddedChannel posts = connection();
        for (int round = 0; round < 3; round++) {
            assertThat(poll(channel)).isNull();
            channel.advanceTimeBy(24_999, TimeUnit.MILLISECONDS);
            channel.runPendingTasks();
            assertThat((Object) channel.readOutbound()).as("nothing before the interval").isNull();
            channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            channel.runPendingTasks();
            assertAnswer(channel.readOutbound(), 200, "2");
            channel.advanceTimeBy(19_999, TimeUnit.MILLISECONDS);
            channel.runPendingTasks();
            assertAnswer(post(posts, "3"), 200, "ok");
        }
        assertThat(app.closeReasons).isEmpty();
    }

    @Test
    void aClientThatMissesThePongIsClosedForPingTimeout() {
        start(EngineIoConfig.defaults().withPing(Duration.ofSeconds(25), Duration.ofSeconds(20)));
        handshake();
        assertThat(poll(channel)).isNull();
        channel.advanceTimeBy(25, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertAnswer(channel.readOutbound(), 200, "2");
        channel.advanceTimeBy(19_999, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(app.closeReasons).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(app.closeReasons).containsExactly("ping timeout");
        assertSessionUnknown();
    }

    @Test
    void aCloseFromTheClientAnswersTheWaitingPollWithANoop() {
        start(EngineIoConfig.defaults());
        handshake();
        assertThat(poll(channel)).isNull();
        assertAnswer(post(connection(), "1"), 200, "ok");
        channel.runPendingTasks();
        assertAnswer(channel.readOutbound(), 200, "6");
        assertThat(app.closeReasons).containsExactly("transport close");
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void aCloseThatOvertakesItsPollStillAnswersThatPollWithANoopThenTheSessionIsForgotten() {
        start(EngineIoConfig.defaults());
        handshake();
        String url = url();
        assertAnswer(post(channel, "1"), 200, "ok");
        assertThat(app.closeReasons).containsExactly("transport close");
        assertAnswer(exchange(connection(), EnginePipelines.get(url)), 200, "6");
        assertAnswer(exchange(connection(), EnginePipelines.get(url)), 400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void aCloseWhosePollNeverComesIsForgottenAfterAGraceSecond() {
        start(EngineIoConfig.defaults());
        handshake();
        assertAnswer(post(channel, "1"), 200, "ok");
        assertThat(engine.sessions()).as("kept for the poll the client already sent").hasSize(1);
        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(engine.sessions()).hasSize(1);
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void aServerCloseAnswersTheWaitingPollWithAClosePacket() {
        start(EngineIoConfig.defaults());
        handshake();
        assertThat(poll(channel)).isNull();
        app.session().close();
        channel.runPendingTasks();
        assertAnswer(channel.readOutbound(), 200, "1");
        assertThat(app.closeReasons).containsExactly("forced close");
        assertSessionUnknown();
    }

    @Test
    void packetsPastTheBufferCapEndTheSessionForTransportBufferFull() {
        start(EngineIoConfig.defaults().withMaxBufferedBytes(10));
        handshake();
        EngineSession s = app.session();
        s.send(EnginePacket.message("123456789"));
        assertThat(s.bufferedBytes()).isEqualTo(10);
        assertThat(app.closeReasons).isEmpty();
        s.send(EnginePacket.message("x"));
        assertThat(app.closeReasons).containsExactly("transport buffer full");
        assertThat(s.bufferedBytes()).isZero();
        assertSessionUnknown();
    }

    @Test
    void aWaitingPollWhoseConnectionDropsEndsTheSession() {
        start(EngineIoConfig.defaults());
        handshake();
        EmbeddedChannel polls = connection();
        assertThat(poll(polls)).isNull();
        polls.close();
        channel.runPendingTasks();
        assertThat(app.closeReasons).containsExactly("transport close");
        channel.advanceTimeBy(1, TimeUnit.SECONDS); // the grace every client-side close gets
        channel.runPendingTasks();
        assertThat(engine.sessions()).isEmpty();
    }

    @Test
    void aRequestThatDoesNotKeepTheConnectionAliveIsAnsweredThenTheConnectionCloses() {
        start(EngineIoConfig.defaults());
        FullHttpRequest request = EnginePipelines.get(EIO);
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        FullHttpResponse res = exchange(channel, request);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(EnginePipelines.bodyOf(res)).startsWith("0{\"sid\":\"");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void malformedRequestsGetTheReferenceServersErrorCodes() {
        start(EngineIoConfig.defaults());
        assertAnswer(exchange(channel, EnginePipelines.post(EIO, "4x")), 400,
                "{\"code\":2,\"message\":\"Bad handshake method\"}");
        assertAnswer(exchange(channel, EnginePipelines.get("/socket.io/?EIO=4&transport=flash")), 400,
                "{\"code\":0,\"message\":\"Transport unknown\"}");
        assertAnswer(exchange(channel, EnginePipelines.get("/socket.io/?transport=polling")), 400,
                "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
        handshake();
        FullHttpRequest put = EnginePipelines.post(url(), "4x");
        put.setMethod(HttpMethod.PUT);
        assertAnswer(exchange(channel, put), 400, "{\"code\":2,\"message\":\"Bad request method\"}");
        assertThat(app.sessions).hasSize(1);
        assertThat(app.closeReasons).as("a bad method leaves the session alone").isEmpty();
    }

    @Test
    void handshakesOverThePendingCapsAreRefusedAtOnce() {
        // No admit(): sessions stay pending.
        engine = new EngineIoServer(EngineIoConfig.defaults().withPendingCaps(1, 1, 64 * 1024)
                .withMaxHandshakeBytes(200), app.sessions::add);
        channel = connection();
        assertThat(EnginePipelines.bodyOf(exchange(channel, EnginePipelines.get(EIO)))).startsWith("0{");
        FullHttpResponse refused = exchange(channel, EnginePipelines.get(EIO));
        assertThat(refused.status().code()).isEqualTo(429);
        assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        assertAnswer(refused, 429, "{\"code\":3,\"message\":\"Too many pending sessions from this address\"}");

        FullHttpRequest large = EnginePipelines.get(EIO);
        large.headers().set(HttpHeaderNames.USER_AGENT, "u".repeat(200));
        FullHttpResponse tooLarge = exchange(channel, large);
        assertThat(tooLarge.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse();
        assertAnswer(tooLarge, 431, "{\"code\":3,\"message\":\"Handshake too large\"}");
        assertThat(app.sessions).hasSize(1);

        app.sessions.get(0).admit();
        assertThat(EnginePipelines.bodyOf(exchange(channel, EnginePipelines.get(EIO)))).startsWith("0{");
    }
}
