package dev.herald.socketio.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Engine.IO v4 session: its transport (long-polling, or WebSocket directly or after an
 * upgrade), the server-sent heartbeat, and its outbound queue.
 *
 * <p>Threading: all state is confined to {@link #eventLoop()}, the loop of the connection that
 * opened the session; requests and frames arriving on other connections hop to it. {@link #send}
 * and {@link #close} may be called from any thread. Listener callbacks run on the event loop.
 *
 * <p>Limits: outbound data waiting for the client (queued for the next poll, or written but not
 * yet taken by the socket) is capped at {@link EngineIoConfig#maxBufferedBytes()}; past it the
 * session is closed with reason {@code "transport buffer full"} and the client reconnects.
 * WebSocket writes are not flushed one by one: the session flushes once per event-loop pass.
 */
public final class EngineSession {
    enum Transport { POLLING, WEBSOCKET }

    private static final long LATE_POLL_GRACE_MILLIS = 1000;
    private static final long PROBE_SETTLE_MILLIS = 20;
    private static final long LATE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String id;
    private final EngineIoServer server;
    private final EngineIoConfig config;
    private final EventLoop loop;
    private final EngineHandshake handshake;
    /** Held while the session is pending (not admitted, not closed); released once. */
    private final PendingSessions.Ticket pendingTicket;
    /** A WebSocket upgrade request for this session was accepted and is shaking hands (any thread). */
    private volatile Channel incomingProbe;

    // Everything below: only on `loop`.
    private EngineSessionListener listener;
    // Volatile: read from other threads for reporting (SocketIoSocket.transport()).
    private volatile Transport transport;
    private boolean closed;
    private Channel wsChannel;
    private WebSocketWriter wsWriter;
    /** Reads paused by the application ({@link #pauseReading}); only on the loop. */
    private int readPauses;
    private Channel probeChannel;
    private WebSocketWriter probeWriter;
    private boolean probed;
    private ScheduledFuture<?> upgradeTimer;
    private EngineHttp.Exchange pendingPoll;
    /** Watches the pending poll's connection; removed once the poll is answered. */
    private ChannelFutureListener pendingPollWatch;
    // Small at first: most sessions are pending or WebSocket, and queue little while polling.
    private final ArrayDeque<EnginePacket> queue = new ArrayDeque<>(4);
    private long queuedBytes;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> pongTimer;
    private long pongDeadlineNanos;
    /** A ping sits in the polling queue because no poll was waiting for it. */
    private boolean pingAwaitingPoll;
    /** Closed by the client with no poll waiting: the poll it already sent is answered with a noop. */
    private boolean noopForLatePoll;

    EngineSession(String id, EngineIoServer server, EventLoop loop, EngineHandshake handshake, Transport transport,
                  PendingSessions.Ticket pendingTicket) {
        this.id = id;
        this.pendingTicket = pendingTicket;
        this.server = server;
        this.config = server.config();
        this.loop = loop;
        this.handshake = handshake;
        this.transport = transport;
    }

    /** The session id ({@code sid}). */
    public String id() {
        return id;
    }

    /** The event loop that owns this session's state and runs its listener. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** The request that opened the session. */
    public EngineHandshake handshake() {
        return handshake;
    }

    /**
     * Ends the session's pending state: it no longer counts against the pending-session caps of
     * {@link EngineIoConfig}. Call it once the client proved itself (Socket.IO calls it when a
     * socket joins a namespace); an application without authentication calls it when the session
     * opens. Closing the session ends the pending state too. Idempotent; from any thread.
     */
    public void admit() {
        pendingTicket.release();
    }

    /** Whether the session is still pending: neither admitted nor closed. From any thread. */
    public boolean isPending() {
        return !pendingTicket.isReleased();
    }

    /** {@code "polling"} or {@code "websocket"}; from any thread. */
    public String transportName() {
        return transport == Transport.WEBSOCKET ? "websocket" : "polling";
    }

    /** Sets who receives this session's messages; call on the event loop, before it returns. */
    public void setListener(EngineSessionListener listener) {
        this.listener = listener;
    }

    /** The listener set with {@link #setListener}, or {@code null}. */
    public EngineSessionListener listener() {
        return listener;
    }

    /**
     * Outbound bytes waiting right now (the polling queue, or WebSocket bytes not yet taken by the
     * socket); past {@link EngineIoConfig#maxBufferedBytes()} the session closes. On the event loop.
     */
    public long bufferedBytes() {
        if (transport == Transport.WEBSOCKET) {
            return wsWriter == null ? 0 : wsWriter.pendingBytes();
        }
        return queuedBytes;
    }

    /**
     * Stops reading the client (counted: as many {@code false} calls as {@code true} ones resume
     * it), for an application that cannot take more right now: TCP then slows the client down
     * instead of the application refusing what it sends. Only on WebSocket: a long-polling POST is
     * read whole, so there it changes nothing. Heartbeat answers are not read either, so pause for
     * well under the ping timeout. Packets already read may still arrive. On the event loop.
     */
    public void pauseReading(boolean pause) {
        readPauses = Math.max(0, readPauses + (pause ? 1 : -1));
        if (wsChannel != null && wsChannel.isActive()) {
            wsChannel.config().setAutoRead(readPauses == 0);
        }
    }

    /** Whether the session is closed; exact only on the event loop. */
    public boolean isClosed() {
        return closed;
    }

    /** Sends a packet; from any thread. Packets sent from one thread arrive in order. */
    public void send(EnginePacket packet) {
        if (loop.inEventLoop()) {
            doSend(packet);
        } else {
            loop.execute(() -> doSend(packet));
        }
    }

    /** Sends packets in order with nothing interleaved (a Socket.IO packet and its attachments). */
    public void send(List<EnginePacket> packets) {
        if (loop.inEventLoop()) {
            packets.forEach(this::doSend);
        } else {
            loop.execute(() -> packets.forEach(this::doSend));
        }
    }

    /** Closes the session from the server side; from any thread. */
    public void close() {
        if (loop.inEventLoop()) {
            closeInternal("forced close", false);
        } else {
            loop.execute(() -> closeInternal("forced close", false));
        }
    }

    void start() {
        schedulePing();
    }

    private void schedulePing() {
        pingTimer = loop.schedule(() -> {
            if (closed) {
                return;
            }
            pongDeadlineNanos = System.nanoTime() + config.pingTimeout().toNanos();
            pingAwaitingPoll = transport == Transport.POLLING && pendingPoll == null;
            doSend(EnginePacket.PING);
            pongTimer = loop.schedule(() -> closeInternal("ping timeout", false),
                    config.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }, config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void doSend(EnginePacket p) {
        if (closed) {
            return;
        }
        if (transport == Transport.WEBSOCKET) {
            writeWs(wsWriter, p);
            return;
        }
        queue.add(p);
        queuedBytes += p.wireSize();
        if (queuedBytes > config.maxBufferedBytes()) {
            closeInternal("transport buffer full", false);
            return;
        }
        if (pendingPoll != null) {
            flushPoll();
        }
    }

    private void writeWs(WebSocketWriter w, EnginePacket p) {
        if (!w.channel().isActive()) {
            return;
        }
        w.write(p.isBinary()
                ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(p.binaryData()))
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(p.utf8())));
        if (w.pendingBytes() > config.maxBufferedBytes()) {
            closeInternal("transport buffer full", false);
        }
    }

    private void flushPoll() {
        pingAwaitingPoll = false;
        EngineHttp.Exchange ex = takePendingPoll();
        List<EnginePacket> batch = new ArrayList<>(queue);
        queue.clear();
        queuedBytes = 0;
        EngineHttp.ok(ex, config.allowedOrigins(), EngineIoCodec.encodePayload(batch));
    }

    // ---- long-polling ----

    void onPoll(EngineHttp.Exchange ex) {
        onPoll(ex, false);
    }

    private void onPoll(EngineHttp.Exchange ex, boolean probeSettled) {
        if (!probeSettled && !closed && (probeChannel != null || incomingProbe != null)) {
            // An upgrade is in flight on another connection, whose frames (a "2probe" and "5"
            // sent just before this poll) travel separately: let them land first, so that a poll
            // after "5" is refused as after any upgrade. Costs a poll during an upgrade 20 ms.
            loop.schedule(() -> onPoll(ex, true), PROBE_SETTLE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (closed && noopForLatePoll) {
            // The client's close overtook its own poll (they travel on separate connections).
            noopForLatePoll = false;
            server.remove(this);
            EngineHttp.ok(ex, config.allowedOrigins(), "6");
            return;
        }
        if (closed) {
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST,
                    EngineHttp.SESSION_ID_UNKNOWN, "Session ID unknown");
            return;
        }
        if (transport == Transport.WEBSOCKET) {
            // Polls after an upgrade are refused without touching the WebSocket.
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST, EngineHttp.BAD_REQUEST,
                    "Bad request");
            return;
        }
        if (pendingPoll != null) {
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST, EngineHttp.BAD_REQUEST,
                    "Overlapping poll");
            closeInternal("transport error", false);
            return;
        }
        if (pongTimer != null && pingAwaitingPoll
                && pongDeadlineNanos - System.nanoTime() < Math.min(config.pingTimeout().toNanos() / 4, LATE_POLL_NANOS)) {
            // The ping waited for a poll until its pong could no longer arrive in time (that takes
            // a round trip): the client missed the heartbeat, so the session is over.
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST,
                    EngineHttp.SESSION_ID_UNKNOWN, "Session ID unknown");
            closeInternal("ping timeout", false);
            return;
        }
        if (probed) {
            // An upgrade is under way: end the poll at once with a noop so the client can finish
            // it; queued packets wait for the WebSocket.
            EngineHttp.ok(ex, config.allowedOrigins(), "6");
            return;
        }
        pendingPoll = ex;
        if (!queue.isEmpty()) {
            flushPoll();
        } else {
            Channel ch = ex.ctx().channel();
            // A poll whose connection drops ends the session, as in the reference server.
            pendingPollWatch = f -> loop.execute(() -> {
                if (pendingPoll != null && pendingPoll.ctx().channel() == ch) {
                    takePendingPoll();
                    closeInternal("transport close", true);
                }
            });
            ch.closeFuture().addListener(pendingPollWatch);
        }
    }

    private EngineHttp.Exchange takePendingPoll() {
        EngineHttp.Exchange ex = pendingPoll;
        pendingPoll = null;
        if (ex != null && pendingPollWatch != null) {
            ex.ctx().channel().closeFuture().removeListener(pendingPollWatch);
        }
        pendingPollWatch = null;
        return ex;
    }

    void onPost(EngineHttp.Exchange ex, String body, int byteLength) {
        if (closed || transport == Transport.WEBSOCKET) {
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST,
                    closed ? EngineHttp.SESSION_ID_UNKNOWN : EngineHttp.BAD_REQUEST,
                    closed ? "Session ID unknown" : "Bad request");
            return;
        }
        if (byteLength > config.maxPayload()) {
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    EngineHttp.BAD_REQUEST, "Payload too large");
            closeInternal("transport error", false);
            return;
        }
        List<EnginePacket> packets;
        try {
            packets = EngineIoCodec.decodePayload(body);
        } catch (EngineDecodeException e) {
            EngineHttp.error(ex, config.allowedOrigins(), HttpResponseStatus.BAD_REQUEST, EngineHttp.BAD_REQUEST,
                    "Bad request");
            closeInternal("parse error", false);
            return;
        }
        EngineHttp.ok(ex, config.allowedOrigins(), "ok");
        for (EnginePacket p : packets) {
            if (closed) {
                break;
            }
            onPacket(p);
        }
    }

    private void onPacket(EnginePacket p) {
        switch (p.type()) {
            case PONG -> {
                if (pongTimer != null) {
                    pongTimer.cancel(false);
                    pongTimer = null;
                    schedulePing();
                }
            }
            case MESSAGE -> {
                if (listener != null) {
                    if (p.isBinary()) {
                        listener.onBinary(this, p.binaryData());
                    } else {
                        listener.onMessage(this, p.text());
                    }
                }
            }
            case CLOSE -> closeInternal("transport close", true);
            default -> {
                // PING, UPGRADE, NOOP, OPEN from a client outside an upgrade carry nothing for us.
            }
        }
    }

    // ---- WebSocket ----

    void attachWebSocket(Channel ch) {
        wsChannel = ch;
        wsWriter = new WebSocketWriter(ch);
        if (readPauses > 0) {
            ch.config().setAutoRead(false); // upgraded while paused: stay paused
        }
        ch.closeFuture().addListener(f -> loop.execute(() -> onWsClosed(ch)));
    }

    void announceProbe(Channel ch) {
        incomingProbe = ch;
    }

    void probeFailed(Channel ch) {
        if (incomingProbe == ch) {
            incomingProbe = null;
        }
    }

    void onProbeChannel(Channel ch) {
        probeFailed(ch);
        if (closed || transport == Transport.WEBSOCKET || probeChannel != null) {
            ch.writeAndFlush(new CloseWebSocketFrame(1008, "session already upgraded"))
                    .addListener(f -> ch.close());
            return;
        }
        probeChannel = ch;
        probeWriter = new WebSocketWriter(ch);
        ch.closeFuture().addListener(f -> loop.execute(() -> onWsClosed(ch)));
        upgradeTimer = loop.schedule(() -> {
            if (probeChannel == ch) {
                abandonProbe();
                ch.close();
            }
        }, config.upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onWsPacket(Channel ch, EnginePacket p) {
        if (closed) {
            return;
        }
        if (ch == wsChannel) {
            onPacket(p);
        } else if (ch == probeChannel) {
            onProbePacket(ch, p);
        }
    }

    private void onProbePacket(Channel ch, EnginePacket p) {
        if (p.type() == EnginePacketType.PING && "probe".equals(p.text())) {
            writeWs(probeWriter, EnginePacket.of(EnginePacketType.PONG, "probe"));
            probed = true;
            if (pendingPoll != null) {
                EngineHttp.ok(takePendingPoll(), config.allowedOrigins(), "6");
            }
            if (pongTimer != null) {
                // The probe proves the client alive; its pong to a ping queued for polling can
                // only come once the upgrade completed.
                pongTimer.cancel(false);
                pongTimer = null;
                schedulePing();
            }
        } else if (p.type() == EnginePacketType.UPGRADE && probed) {
            upgradeTimer.cancel(false);
            probeChannel = null;
            probed = false;
            transport = Transport.WEBSOCKET;
            wsChannel = ch;
            wsWriter = probeWriter;
            probeWriter = null;
            if (readPauses > 0) {
                ch.config().setAutoRead(false); // upgraded while paused: stay paused
            }
            if (pendingPoll != null) {
                EngineHttp.ok(takePendingPoll(), config.allowedOrigins(), "6");
            }
            List<EnginePacket> waiting = new ArrayList<>(queue);
            queue.clear();
            queuedBytes = 0;
            waiting.forEach(q -> writeWs(wsWriter, q));
        } else {
            abandonProbe();
            ch.close();
        }
    }

    private void abandonProbe() {
        if (upgradeTimer != null) {
            upgradeTimer.cancel(false);
        }
        probeChannel = null;
        probeWriter = null;
        probed = false;
    }

    void onWsClosed(Channel ch) {
        if (ch == probeChannel) {
            abandonProbe();
        } else if (ch == wsChannel && !closed) {
            closeInternal("transport close", true);
        }
    }

    void onWsDecodeError(Channel ch) {
        if (ch == wsChannel) {
            closeInternal("parse error", false);
        } else if (ch == probeChannel) {
            abandonProbe();
            ch.close();
        }
    }

    // ---- closing ----

    private void closeInternal(String reason, boolean byClient) {
        if (closed) {
            return;
        }
        closed = true;
        pendingTicket.release();
        if (byClient && transport == Transport.POLLING && pendingPoll == null) {
            noopForLatePoll = true;
            loop.schedule(() -> server.remove(this), LATE_POLL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            server.remove(this);
        }
        cancel(pingTimer);
        cancel(pongTimer);
        cancel(upgradeTimer);
        if (pendingPoll != null) {
            // A client-initiated close ends its pending poll with a noop; a server close tells it why.
            EngineHttp.ok(takePendingPoll(), config.allowedOrigins(), byClient ? "6" : "1");
        }
        queue.clear();
        queuedBytes = 0;
        if (probeChannel != null) {
            probeChannel.close();
            probeChannel = null;
        }
        if (wsChannel != null && wsChannel.isActive()) {
            Channel ch = wsChannel;
            ch.writeAndFlush(new CloseWebSocketFrame(1000, reason)).addListener(f -> ch.close());
        }
        if (listener != null) {
            listener.onClose(this, reason);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
