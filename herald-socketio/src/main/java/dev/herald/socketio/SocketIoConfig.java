package dev.herald.socketio;

import dev.herald.socketio.engine.EngineIoConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SocketIoServer}. Immutable; start from {@link #defaults()}.
 *
 * @param engine                   Engine.IO settings (path, heartbeat, payload and buffer caps)
 * @param connectTimeout           an Engine.IO session that joins no namespace within this is
 *                                 closed (default 45 s, as Socket.IO): the longest a session stays
 *                                 pending (anonymous), see {@link EngineIoConfig} for the caps on
 *                                 pending sessions
 * @param recovery                 whether connection state recovery is on (Socket.IO 4.6+): CONNECT
 *                                 answers carry {@code pid} and broadcasts carry an offset
 * @param maxDisconnectionDuration how long a disconnected socket's state is kept for recovery
 *                                 (default 2 min)
 * @param replayMaxPackets         cap on broadcast packets kept for replay, per namespace
 * @param replayMaxBytes           cap on their total size in bytes, per namespace
 * @param maxRecoverableSessions   cap on disconnected sessions kept, per namespace
 */
public record SocketIoConfig(EngineIoConfig engine, Duration connectTimeout, boolean recovery,
                             Duration maxDisconnectionDuration, int replayMaxPackets, long replayMaxBytes,
                             int maxRecoverableSessions) {
    public SocketIoConfig {
        Objects.requireNonNull(engine, "engine");
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        if (maxDisconnectionDuration == null || maxDisconnectionDuration.isNegative()) {
            throw new IllegalArgumentException("maxDisconnectionDuration must not be negative");
        }
        if (replayMaxPackets <= 0 || replayMaxBytes <= 0 || maxRecoverableSessions <= 0) {
            throw new IllegalArgumentException("replay caps must be positive");
        }
    }

    /** Socket.IO's defaults; recovery off (as in Socket.IO, where it is opt-in). */
    public static SocketIoConfig defaults() {
        return new SocketIoConfig(EngineIoConfig.defaults(), Duration.ofSeconds(45), false, Duration.ofMinutes(2),
                10_000, 8L * 1024 * 1024, 100_000);
    }

    /** The same settings over this Engine.IO configuration. */
    public SocketIoConfig withEngine(EngineIoConfig e) {
        return new SocketIoConfig(e, connectTimeout, recovery, maxDisconnectionDuration, replayMaxPackets,
                replayMaxBytes, maxRecoverableSessions);
    }

    /** The same settings with this connect timeout (the longest a session stays pending). */
    public SocketIoConfig withConnectTimeout(Duration d) {
        return new SocketIoConfig(engine, d, recovery, maxDisconnectionDuration, replayMaxPackets, replayMaxBytes,
                maxRecoverableSessions);
    }

    /** Turns connection state recovery on with the given window. */
    public SocketIoConfig withRecovery(Duration window) {
        return new SocketIoConfig(engine, connectTimeout, true, window, replayMaxPackets, replayMaxBytes,
                maxRecoverableSessions);
    }

    /** The same settings with these per-namespace caps on the packets kept for recovery. */
    public SocketIoConfig withReplayCaps(int packets, long bytes) {
        return new SocketIoConfig(engine, connectTimeout, recovery, maxDisconnectionDuration, packets, bytes,
                maxRecoverableSessions);
    }
}
