package dev.herald.server.transport.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.Principal;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.delivery.StreamLog;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One {@code /sse/notifications} stream after its headers, on an {@link EmbeddedChannel} without
 * a socket: the exact event bytes ({@code connected} first, {@code id:} for stored events only),
 * replay and live delivery through the real delivery core, keepalive comments and token expiry on
 * the channel's frozen clock, backpressure, and each way the stream ends: the {@code closing}
 * event with its code, the last chunk, the channel closed and the session forgotten.
 */
class SseHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM = "user:ann";

    private final SessionRegistry sessions = new SessionRegistry();
    private final HeraldMetrics metrics = new HeraldMetrics();
    private final MemoryLog log = new MemoryLog();
    private final InProcessBroker broker = new InProcessBroker();
    private final DeliveryHub hub = new DeliveryHub(log, broker, new InlineExecutor(), NotificationFrames::unreadCountAfter,
            metrics);
    private EmbeddedChannel channel;
    private SseHandler handler;

    /** The stream log: what the store holds, per stream. Read inline, on the test's thread. */
    private static final class MemoryLog implements StreamLog {
        final List<StreamEvent> events = new ArrayList<>();
        long unread;

        @Override
        public StreamState state(String stream) {
            return new StreamState(events.isEmpty() ? 0 : events.getLast().seq(), unread, unread);
        }

        @Override
        public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
            return events.stream().filter(e -> e.seq() > afterSeq).limit(limit).toList();
        }
    }

    /** A socket that stopped taking bytes: holds every write and never completes it. */
    private static final class StalledSocket extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
        }

        void release() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    private static StreamEvent event(long seq, String type, long unread) {
        return new StreamEvent(STREAM, seq, type, 0, unread,
                ("{\"type\":\"" + type + "\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static Principal ann(Instant expiresAt) {
        return new Principal("ann", "Ann", Set.of(), expiresAt);
    }

    /** Opens a stream for {@code principal} with these query parameters; tasks not yet run. */
    private void open(Principal principal, Map<String, List<String>> query, ChannelHandler... before) {
        broker.start(hub);
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY)
                .pingInterval(Duration.ofSeconds(25)).build();
        TransportContext context = new TransportContext(config, JSON, null, null, null, hub, sessions,
                metrics, null, new OriginPolicy(List.of()));
        handler = new SseHandler(context, principal, StreamRequest.parse(principal, query, null), StreamState.EMPTY);
        channel = new EmbeddedChannel(before);
        channel.freezeTime();
        channel.pipeline().addLast(handler);
        handler.start();
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private String connectionId() {
        List<String> ids = sessions.ofUser("ann").stream().map(Session::id).toList();
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    /** The next chunk written, as text; fails on the last chunk or on nothing. */
    private String next() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        assertThat(out).as("a chunk was written").isInstanceOf(HttpContent.class);
        assertThat(out).as("not the last chunk").isNotInstanceOf(LastHttpContent.class);
        HttpContent chunk = (HttpContent) out;
        try {
            return chunk.content().toString(StandardCharsets.UTF_8);
        } finally {
            chunk.release();
        }
    }

    private void assertNothingWritten() {
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    /** The stream ended: the closing event with the reason's code, the last chunk, the channel closed. */
    private void assertEndedWith(CloseReason reason) {
        assertThat(next()).isEqualTo("data: {\"type\":\"closing\",\"code\":" + reason.code()
                + ",\"reason\":\"" + reason.text() + "\"}\n\n");
        Object last = channel.readOutbound();
        assertThat(last).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) last).content().readableBytes()).isZero();
        ReferenceCountUtil.release(last);
        assertThat((Object) channel.readOutbound()).as("nothing after the last chunk").isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions.size()).isZero();
        assertThat(hub.streamCount()).as("unsubscribed").isZero();
        assertThat(metrics.connections()).isZero();
    }

    @Test
    void theFirstEventIsConnectedWithoutAnIdAndTheSessionIsRegistered() {
        log.events.add(event(1, "order_created", -1));
        log.unread = 4;
        open(ann(null), Map.of());
        assertThat(next()).isEqualTo("data: {\"type\":\"connected\",\"connection_id\":\"" + connectionId()
                + "\",\"user_id\":\"ann\",\"stream\":\"user:ann\",\"seq\":1,\"unread_count\":4,\"unseen_count\":4}\n\n");
        assertNothingWritten();
        assertThat(hub.streamCount()).isEqualTo(1);
        assertThat(metrics.connections()).isEqualTo(1);
    }

    @Test
    void storedEventsAfterSinceAreReplayedWithTheirSeqAsIdThenLiveOnesFollow() {
        for (long seq = 1; seq <= 3; seq++) {
            log.events.add(event(seq, "order_created", -1));
        }
        open(ann(null), Map.of("since", List.of("1")));
        assertThat(next()).startsWith("data: {\"type\":\"connected\",").endsWith(",\"seq\":3,\"unread_count\":0,\"unseen_count\":0,\"since\":1}\n\n");
        assertThat(next()).isEqualTo("id: 2\ndata: {\"type\":\"order_created\",\"seq\":2}\n\n");
        assertThat(next()).isEqualTo("id: 3\ndata: {\"type\":\"order_created\",\"seq\":3}\n\n");
        assertNothingWritten();

        broker.publish(event(4, "order_completed", 7));
        assertThat(next()).isEqualTo("id: 4\ndata: {\"type\":\"order_completed\",\"seq\":4}\n\n");
        assertThat(next()).as("an unread count carries no id").isEqualTo("data: {\"type\":\"unread_count\",\"count\":7}\n\n");
        assertNothingWritten();
    }

    @Test
    void aCommentKeepsAnIdleStreamAliveEveryPingInterval() {
        open(ann(null), Map.of());
        next(); // connected
        for (int i = 0; i < 3; i++) {
            channel.advanceTimeBy(24_999, TimeUnit.MILLISECONDS);
            assertNothingWritten();
            channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            assertThat(next()).isEqualTo(": ping\n\n");
        }
    }

    @Test
    void anExpiringTokenEndsTheStreamWithClosingEvent4001() {
        // Expires before the first keepalive comment, so the closing event comes next.
        open(ann(Instant.now().plus(Duration.ofSeconds(20))), Map.of());
        next(); // connected
        channel.advanceTimeBy(19, TimeUnit.SECONDS);
        assertNothingWritten();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertEndedWith(CloseReason.TOKEN_EXPIRED);
    }

    @Test
    void aServerCloseWritesOneClosingEventHoweverOftenItIsAsked() {
        open(ann(null), Map.of());
        next(); // connected
        handler.close(CloseReason.SHUTDOWN);
        handler.close(CloseReason.KICKED);
        assertEndedWith(CloseReason.SHUTDOWN);
    }

    @Test
    void aLiveEventForAnUnwritableStreamEndsItWithClosingEvent4008() {
        open(ann(null), Map.of());
        next(); // connected
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        broker.publish(event(1, "order_created", -1));
        channel.runPendingTasks();
        assertEndedWith(CloseReason.SLOW_CONSUMER);
    }

    @Test
    void theReplayWaitsWhileTheStreamIsUnwritableAndResumesWhenItDrains() {
        for (long seq = 1; seq <= 3; seq++) {
            log.events.add(event(seq, "order_created", -1));
        }
        open(ann(null), Map.of("since", List.of("0")));
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(next()).startsWith("data: {\"type\":\"connected\",");
        assertNothingWritten();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        assertThat(next()).startsWith("id: 1\n");
        assertThat(next()).startsWith("id: 2\n");
        assertThat(next()).startsWith("id: 3\n");
        assertNothingWritten();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void whatTheClientSendsIsReleasedAndIgnored() {
        open(ann(null), Map.of());
        next(); // connected
        ByteBuf body = Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8);
        ByteBuf last = Unpooled.copiedBuffer("!", StandardCharsets.UTF_8);
        channel.writeInbound(new DefaultHttpContent(body), new DefaultLastHttpContent(last));
        assertThat(body.refCnt()).isZero();
        assertThat(last.refCnt()).isZero();
        assertThat((Object) channel.readInbound()).isNull();
        assertNothingWritten();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aDroppedConnectionForgetsTheSessionAndStopsTheTimers() {
        open(ann(Instant.now().plus(Duration.ofMinutes(10))), Map.of());
        next(); // connected
        channel.close();
        assertThat(sessions.size()).isZero();
        assertThat(hub.streamCount()).isZero();
        assertThat(metrics.connections()).isZero();
        channel.advanceTimeBy(1, TimeUnit.HOURS);
        assertThat(channel.hasPendingTasks()).as("keepalive and expiry cancelled").isFalse();
        broker.publish(event(1, "order_created", -1));
        assertNothingWritten();
    }

    @Test
    void anUnexpectedErrorClosesTheConnection() {
        open(ann(null), Map.of());
        next(); // connected
        channel.pipeline().fireExceptionCaught(new IllegalStateException("boom"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions.size()).isZero();
        assertThat(hub.streamCount()).isZero();
    }

    @Test
    void aConnectionGoneBeforeTheHeadersWereWrittenIsNeverRegistered() {
        broker.start(hub);
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        TransportContext context = new TransportContext(config, JSON, null, null, null, hub, sessions,
                metrics, null, new OriginPolicy(List.of()));
        handler = new SseHandler(context, ann(null), StreamRequest.parse(ann(null), Map.of(), null), StreamState.EMPTY);
        channel = new EmbeddedChannel(handler);
        channel.close();
        handler.start();
        channel.runPendingTasks();
        assertThat(sessions.size()).isZero();
        assertThat(hub.streamCount()).isZero();
        assertThat(metrics.connections()).isZero();
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedEvenIfTheLastChunkCannotLeave() {
        StalledSocket socket = new StalledSocket();
        open(ann(null), Map.of(), socket);
        channel.runPendingTasks();
        handler.close(CloseReason.SLOW_CONSUMER);
        assertThat(channel.isOpen()).as("the last chunk is still being written").isTrue();
        channel.advanceTimeBy(1, TimeUnit.MINUTES);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("a client that never reads does not hold the connection").isFalse();
        assertThat(sessions.size()).isZero();
        socket.release();
    }

    @Test
    void nothingIsWrittenAfterTheLastChunk() {
        StalledSocket socket = new StalledSocket();
        open(ann(null), Map.of(), socket);
        channel.runPendingTasks();
        handler.close(CloseReason.SHUTDOWN);
        broker.publish(event(1, "order_created", -1));
        channel.advanceTimeBy(25, TimeUnit.SECONDS); // a keepalive comment would be due
        channel.runPendingTasks();
        assertThat(socket.held).as("connected, closing, the last chunk: nothing after it").hasSize(3);
        assertThat(((HttpContent) socket.held.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("data: {\"type\":\"closing\",\"code\":1001,\"reason\":\"" + CloseReason.SHUTDOWN.text() + "\"}\n\n");
        assertThat(socket.held.get(2)).isInstanceOf(LastHttpContent.class);
        socket.release();
    }
}
