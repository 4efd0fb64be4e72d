package dev.herald.socketio.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of an {@link EngineIoServer}. Immutable; build from {@link #defaults()} with the
 * {@code with*} methods.
 *
 * <p>Handshakes and pending sessions: a session is <em>pending</em> from its handshake until the
 * application admits it ({@link EngineSession#admit()}; Socket.IO does so when a socket joins a
 * namespace) or it closes. A handshake is anonymous and costs the client one request, so what it
 * may hold is bounded: only the {@link #handshakeHeaders()} are kept (and of the Cookie header
 * only the {@link #handshakeCookies()}), at most {@link #maxHandshakeBytes()} of them, and pending
 * sessions are capped per client address, in total, and in the bytes their handshakes keep.
 * Over a cap the handshake is refused at once (never queued); see {@link EngineIoServer}.
 *
 * @param path                 URL path prefix served, ending with {@code /} (default {@code /socket.io/})
 * @param pingInterval         how often the server pings (protocol default 25 s)
 * @param pingTimeout          how long the server waits for the pong before closing (default 20 s)
 * @param maxPayload           largest accepted message or polling body, bytes (default 1,000,000)
 * @param upgradeTimeout       how long a WebSocket probe may take to complete an upgrade (default 10 s)
 * @param maxBufferedBytes     per-session outbound cap in bytes: over it the session is closed so a
 *                             stuck client cannot grow memory (default 4 MiB)
 * @param allowedOrigins       CORS origins allowed for polling (credentials allowed), plus {@code "*"}
 *                             for any other origin without credentials; empty: no CORS headers
 * @param handshakeHeaders     the request headers a session keeps from its handshake (lower-case
 *                             names; default {@link #DEFAULT_HANDSHAKE_HEADERS}); all others are
 *                             dropped when the handshake is read
 * @param handshakeCookies     when not empty, the kept Cookie header holds only these cookies;
 *                             empty (the default) keeps every cookie
 * @param maxHandshakeBytes    cap on what one handshake keeps ({@link EngineHandshake#size()}: the
 *                             kept headers' names and values, the query's, the path), in
 *                             characters; over it the handshake is refused with 431 (default 8 KiB)
 * @param maxPendingSessions   cap on pending sessions in total; over it handshakes are refused
 *                             with 503 (default 10,000)
 * @param maxPendingPerAddress cap on pending sessions per client address (an IPv4 address, or an
 *                             IPv6 /64); over it handshakes from that address are refused with 429
 *                             (default 100)
 * @param maxPendingBytes      cap on the sum of the pending sessions' {@link EngineHandshake#size()};
 *                             over it handshakes are refused with 503 (default 16 MiB)
 */
public record EngineIoConfig(String path, Duration pingInterval, Duration pingTimeout, int maxPayload,
                             Duration upgradeTimeout, long maxBufferedBytes, List<String> allowedOrigins,
                             Set<String> handshakeHeaders, Set<String> handshakeCookies, int maxHandshakeBytes,
                             int maxPendingSessions, int maxPendingPerAddress, long maxPendingBytes) {

    /**
     * What a handshake keeps by default: credentials (Authorization, Cookie), where the page came
     * from (Origin), the client (User-Agent) and the client address behind a proxy (X-Forwarded-For).
     */
    public static final Set<String> DEFAULT_HANDSHAKE_HEADERS =
            Set.of("authorization", "cookie", "origin", "user-agent", "x-forwarded-for");

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
        handshakeHeaders = names(handshakeHeaders, "handshakeHeaders");
        handshakeCookies = Set.copyOf(Objects.requireNonNull(handshakeCookies, "handshakeCookies"));
        for (String c : handshakeCookies) {
            if (c.isBlank()) {
                throw new IllegalArgumentException("handshakeCookies: blank cookie name");
            }
        }
        if (maxHandshakeBytes <= 0) {
            throw new IllegalArgumentException("maxHandshakeBytes must be positive: " + maxHandshakeBytes);
        }
        if (maxPendingSessions <= 0 || maxPendingPerAddress <= 0 || maxPendingBytes <= 0) {
            throw new IllegalArgumentException("pending caps must be positive: sessions " + maxPendingSessions
                    + ", per address " + maxPendingPerAddress + ", bytes " + maxPendingBytes);
        }
        if (maxPendingPerAddress > maxPendingSessions) {
            throw new IllegalArgumentException("maxPendingPerAddress (" + maxPendingPerAddress
                    + ") must not exceed maxPendingSessions (" + maxPendingSessions + ")");
        }
        if (maxPendingBytes < maxHandshakeBytes) {
            throw new IllegalArgumentException("maxPendingBytes (" + maxPendingBytes
                    + ") must be at least maxHandshakeBytes (" + maxHandshakeBytes + ")");
        }
    }

    private static Set<String> names(Collection<String> in, String what) {
        Objects.requireNonNull(in, what);
        for (String n : in) {
            if (n == null || n.isBlank() || !n.strip().equals(n)) {
                throw new IllegalArgumentException(what + ": bad header name '" + n + "'");
            }
        }
        return in.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + d);
        }
    }

    /** The protocol's defaults at {@code /socket.io/}, with the handshake limits documented above. */
    public static EngineIoConfig defaults() {
        return new EngineIoConfig("/socket.io/", Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000,
                Duration.ofSeconds(10), 4L * 1024 * 1024, List.of(), DEFAULT_HANDSHAKE_HEADERS, Set.of(), 8 * 1024,
                10_000, 100, 16L * 1024 * 1024);
    }

    /** The same settings served under this path (starting and ending with {@code /}). */
    public EngineIoConfig withPath(String p) {
        return new EngineIoConfig(p, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /** The same settings with this heartbeat: a ping every {@code interval}, the pong awaited for {@code timeout}. */
    public EngineIoConfig withPing(Duration interval, Duration timeout) {
        return new EngineIoConfig(path, interval, timeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /** The same settings with this cap on one message or polling body; the HTTP aggregator in front must accept at least this much. */
    public EngineIoConfig withMaxPayload(int bytes) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, bytes, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /** The same settings with this per-session cap on outbound bytes not yet taken by the client. */
    public EngineIoConfig withMaxBufferedBytes(long bytes) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, bytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /** The same settings with these CORS origins (see {@link #allowedOrigins()}: named ones with credentials, {@code "*"} any other without). */
    public EngineIoConfig withAllowedOrigins(List<String> origins) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                origins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /**
     * The request headers a session keeps from its handshake (what {@link EngineHandshake#headers()}
     * and Socket.IO's {@code handshake().headers()} will show); names are matched case-insensitively.
     * Keep what authentication needs: everything kept is held by every pending session.
     */
    public EngineIoConfig withHandshakeHeaders(Collection<String> names) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, Set.copyOf(names), handshakeCookies, maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /**
     * Keeps only these cookies of the handshake's Cookie header (when {@code cookie} is among the
     * {@link #handshakeHeaders()}); an empty set keeps every cookie.
     */
    public EngineIoConfig withHandshakeCookies(Collection<String> names) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, Set.copyOf(names), maxHandshakeBytes, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /** Caps what one handshake keeps ({@link EngineHandshake#size()}); over it: 431. */
    public EngineIoConfig withMaxHandshakeBytes(int chars) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, chars, maxPendingSessions,
                maxPendingPerAddress, maxPendingBytes);
    }

    /**
     * Caps pending sessions: {@code total} in all (over it: 503), {@code perAddress} per client
     * address (over it: 429), and {@code bytes}, the sum of their handshakes' sizes (over it: 503).
     */
    public EngineIoConfig withPendingCaps(int total, int perAddress, long bytes) {
        return new EngineIoConfig(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, maxBufferedBytes,
                allowedOrigins, handshakeHeaders, handshakeCookies, maxHandshakeBytes, total, perAddress, bytes);
    }
}
