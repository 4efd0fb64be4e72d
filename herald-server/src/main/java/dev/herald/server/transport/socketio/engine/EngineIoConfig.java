package dev.herald.server.transport.socketio.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of an {@link EngineIoServer}. Immutable; build from {@link #defaults()} with the
 * {@code with*} methods.
 *
 * @param path             URL path prefix served, ending with {@code /} (default {@code /socket.io/})
 * @param pingInterval     how often the server pings (protocol default 25 s)
 * @param pingTimeout      how long the server waits for the pong before closing (default 20 s)
 * @param maxPayload       largest accepted message or polling body, bytes (default 1,000,000)
 * @param upgradeTimeout   how long a WebSocket probe may take to complete an upgrade (default 10 s)
 * @param maxBufferedBytes per-session outbound cap in bytes: over it the session is closed so a
 *                         stuck client cannot grow memory (default 4 MiB)
 * @param allowedOrigins   CORS origins allowed for polling (credentials allowed), plus {@code "*"} for any
 *                         other origin without credentials; empty: no CORS headers, same origin only
 */
public record EngineIoConfig(String path, Duration pingInterval, Duration pingTimeout, int maxPayload,
                             Duration upgradeTimeout, long maxBufferedBytes, List<String> allowedOrigins) {

    public EngineIoConfig {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || !path.endsWith("/")) {
            throw new IllegalArgumentException("path must start and end with '/': " + path);
        }
        requirePositive(pingInterval, "pingInterval");
        requirePositive(pingTimeout, "pingTimeout");
        requirePositive(upgradeTimeout, "upgradeTimeout");
        if (maxPayload <= 0) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        if (maxBufferedBytes <= 0) {
            throw new IllegalArgumentException("maxBufferedBytes must be positive: " + maxBufferedBytes);
        }
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + d);
        }
    }

    /** The protocol's defaults at {@code /socket.io/}. */
    public static EngineIoConfig defaults() {
        return new EngineIoConfig("/socket.io/", Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000,
                Duration.ofSeconds(10), 4L * 1024 * 1024, List.of());
    }

    public EngineIoConfig withPath(String p) {
        return new EngineIoConfig(p, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins);
    }

    public EngineIoConfig withPing(Duration interval, Duration timeout) {
        return new EngineIoConfig(path, interval, timeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins);
    }

    public EngineIoConfig withMaxPayload(int bytes) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, bytes, upgradeTimeout, maxBufferedBytes,
                allowedOrigins);
    }

    public EngineIoConfig withMaxBufferedBytes(long bytes) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, bytes,
                allowedOrigins);
    }

    public EngineIoConfig withAllowedOrigins(List<String> origins) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                origins);
    }
}
