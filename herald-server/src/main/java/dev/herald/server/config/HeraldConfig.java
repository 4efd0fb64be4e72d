package dev.herald.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a Herald node needs to start, resolved and validated. Immutable.
 *
 * <p>Built by the command line from flags, environment variables and the config file (in that
 * order of precedence), or directly by tests with {@link #builder()}.
 *
 * @param host               address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port               port to bind; 0 picks a free one
 * @param dataDir            directory of the embedded database and generated credentials
 * @param storeUrl           null for the embedded H2 file in {@code dataDir}; else a
 *                           {@code postgresql://host:port/db} or {@code jdbc:} URL
 * @param brokerUrl          null for the in-process broker; else e.g. {@code redis://host:port}
 * @param nodeId             this node's name in logs and in the cluster
 * @param jwtSecret          HS256 shared secret (at least 32 bytes), or null
 * @param jwtPublicKeyPem    PEM file with an RSA or EC public key for RS256/ES256, or null
 * @param jwksUrl            JWKS URL for RS256/ES256, or null
 * @param jwtCookie          name of the cookie that may carry the JWT
 * @param apiKeys            keys accepted from app backends; at least one
 * @param devMode            development conveniences (dev-token endpoint); never in production
 * @param maxFrameBytes      largest WebSocket frame accepted from a client
 * @param maxNotificationBytes largest notification object accepted from a publisher
 * @param maxHttpBodyBytes   largest HTTP request body
 * @param outboundCapBytes   per-connection cap on bytes queued for a client; over it the
 *                           connection is closed with "reconnect and resume"
 * @param pingInterval       how often an idle connection is pinged
 * @param idleTimeout        a connection silent this long (no frame, no pong) is closed
 * @param clientFrameRate    frames per second a client connection may send, sustained
 * @param clientFrameBurst   frames a client connection may send in a burst
 * @param corsOrigins        browser origins, besides Herald's own, allowed to use every entry point
 *                           (HTTP API, WebSocket, Socket.IO, SSE); {@code *} for any origin, but a
 *                           cookie is honoured only from Herald's own origin or one listed by name
 * @param maxConnections     open connections this node accepts in total; 0: derived from the
 *                           process's open-files limit, keeping a reserve for the store and logs
 * @param maxConnectionsPerIp open connections from one client address; 0: no limit (e.g. behind a
 *                           proxy, where every client has the proxy's address)
 * @param maxConnectionsPerUser open sockets (WebSocket, SSE, Socket.IO) of one user on this node; 0: no limit
 * @param requestTimeout     a connection must send a complete HTTP request within this of opening
 *                           or of its previous answer, else it is closed (408 when a request was begun)
 * @param eventLoops         I/O event loops (threads) that own the connections; 0: one per available processor
 * @param notificationRetention how long a notification is kept at most (expired ones go earlier); at least 1 hour
 * @param maxNewConversationsPerHour conversations one user may create per hour on this node; 0: users
 *                           may not create conversations (only app backends, with the API key)
 * @param socketIo           Socket.IO event names and relay rules ({@code --socketio-notification-events},
 *                           {@code --socketio-relay})
 * @param push               push to closed apps: Web Push, APNs, FCM ({@code --push-*})
 * @param logLevel           level of the process's root logger, one of {@link #LOG_LEVELS}; applied by
 *                           the command line before it starts the node, not by {@code HeraldServer}
 *                           (an application embedding a node keeps its own logging)
 */
public record HeraldConfig(
        String host,
        int port,
        Path dataDir,
        String storeUrl,
        String brokerUrl,
        String nodeId,
        String jwtSecret,
        Path jwtPublicKeyPem,
        URI jwksUrl,
        String jwtCookie,
        List<String> apiKeys,
        boolean devMode,
        int maxFrameBytes,
        int maxNotificationBytes,
        int maxHttpBodyBytes,
        int outboundCapBytes,
        Duration pingInterval,
        Duration idleTimeout,
        int clientFrameRate,
        int clientFrameBurst,
        List<String> corsOrigins,
        int maxConnections,
        int maxConnectionsPerIp,
        int maxConnectionsPerUser,
        Duration requestTimeout,
        int eventLoops,
        Duration notificationRetention,
        int maxNewConversationsPerHour,
        SocketIoSettings socketIo,
        PushOptions push,
        String logLevel) {

    /** The log levels {@code --log-level} accepts, most verbose first. */
    public static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    public HeraldConfig {
        corsOrigins = List.copyOf(Objects.requireNonNull(corsOrigins, "corsOrigins"));
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(jwtCookie, "jwtCookie");
        Objects.requireNonNull(socketIo, "socketIo");
        Objects.requireNonNull(push, "push");
        if (!LOG_LEVELS.contains(logLevel)) {
            throw new IllegalArgumentException("logLevel: must be one of " + LOG_LEVELS + ", was " + logLevel);
        }
        apiKeys = List.copyOf(Objects.requireNonNull(apiKeys, "apiKeys"));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 0..65535, was " + port);
        }
        if (jwtSecret == null && jwtPublicKeyPem == null && jwksUrl == null) {
            throw new IllegalArgumentException("jwtSecret: one of jwtSecret, jwtPublicKeyPem or jwksUrl is required");
        }
        if (jwtSecret != null && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("jwtSecret: must be at least 32 bytes for HS256");
        }
        if (apiKeys.isEmpty()) {
            throw new IllegalArgumentException("apiKeys: at least one API key is required");
        }
        for (String key : apiKeys) {
            if (key == null || key.length() < 16) {
                throw new IllegalArgumentException("apiKeys: each API key must be at least 16 characters");
            }
        }
        positive("maxFrameBytes", maxFrameBytes);
        positive("maxNotificationBytes", maxNotificationBytes);
        positive("maxHttpBodyBytes", maxHttpBodyBytes);
        positive("outboundCapBytes", outboundCapBytes);
        positive("clientFrameRate", clientFrameRate);
        positive("clientFrameBurst", clientFrameBurst);
        if (pingInterval.isNegative() || pingInterval.isZero()) {
            throw new IllegalArgumentException("pingInterval: must be positive");
        }
        if (idleTimeout.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("idleTimeout: must be longer than pingInterval");
        }
        notNegative("maxConnections", maxConnections);
        notNegative("maxConnectionsPerIp", maxConnectionsPerIp);
        notNegative("maxConnectionsPerUser", maxConnectionsPerUser);
        notNegative("maxNewConversationsPerHour", maxNewConversationsPerHour);
        notNegative("eventLoops", eventLoops);
        if (eventLoops > MAX_EVENT_LOOPS) {
            // Each loop is a platform thread with its own epoll and wake-up descriptors: a typo
            // (100000) would exhaust threads or files at start instead of failing clearly.
            throw new IllegalArgumentException("eventLoops: must be at most " + MAX_EVENT_LOOPS + ", was " + eventLoops);
        }
        Objects.requireNonNull(notificationRetention, "notificationRetention");
        if (notificationRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("notificationRetention: must be at least 1h");
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("requestTimeout: must be at least 100ms");
        }
        for (String origin : corsOrigins) {
            if (!origin.equals("*") && !origin.matches("(?i)https?://[^/\\s?#]+")) {
                throw new IllegalArgumentException("corsOrigins: '" + origin
                        + "' is not an origin (scheme://host[:port], no path) or *");
            }
        }
    }

    /** Event loops at most; one per processor is the default, and more rarely helps. */
    public static final int MAX_EVENT_LOOPS = 256;

    private static void notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": must be 0 or more, was " + value);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, was " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host; b.port = port; b.dataDir = dataDir; b.storeUrl = storeUrl; b.brokerUrl = brokerUrl;
        b.nodeId = nodeId; b.jwtSecret = jwtSecret; b.jwtPublicKeyPem = jwtPublicKeyPem; b.jwksUrl = jwksUrl;
        b.jwtCookie = jwtCookie; b.apiKeys = apiKeys; b.devMode = devMode; b.maxFrameBytes = maxFrameBytes;
        b.maxNotificationBytes = maxNotificationBytes; b.maxHttpBodyBytes = maxHttpBodyBytes;
        b.outboundCapBytes = outboundCapBytes; b.pingInterval = pingInterval; b.idleTimeout = idleTimeout;
        b.corsOrigins = corsOrigins; b.clientFrameRate = clientFrameRate; b.clientFrameBurst = clientFrameBurst;
        b.maxConnections = maxConnections; b.maxConnectionsPerIp = maxConnectionsPerIp;
        b.maxConnectionsPerUser = maxConnectionsPerUser; b.requestTimeout = requestTimeout; b.eventLoops = eventLoops;
        b.notificationRetention = notificationRetention;
        b.maxNewConversationsPerHour = maxNewConversationsPerHour; b.socketIo = socketIo; b.push = push;
        b.logLevel = logLevel;
        return b;
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private Path dataDir = Path.of("herald-data");
        private String storeUrl;
        private String brokerUrl;
        private String nodeId = "node-1";
        private String jwtSecret;
        private Path jwtPublicKeyPem;
        private URI jwksUrl;
        private String jwtCookie = "access_token";
        private List<String> apiKeys = List.of();
        private boolean devMode;
        private int maxFrameBytes = 64 * 1024;
        private int maxNotificationBytes = 64 * 1024;
        private int maxHttpBodyBytes = 1024 * 1024;
        private int outboundCapBytes = 4 * 1024 * 1024;
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private List<String> corsOrigins = List.of();
        private int clientFrameRate = 20;
        private int clientFrameBurst = 40;
        private int maxConnections;
        private int maxConnectionsPerIp = 1000;
        private int maxConnectionsPerUser = 100;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int eventLoops;
        private Duration notificationRetention = Duration.ofDays(90);
        private int maxNewConversationsPerHour = 60;
        private SocketIoSettings socketIo = SocketIoSettings.defaults();
        private PushOptions push = PushOptions.defaults();
        private String logLevel = "INFO";

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder storeUrl(String v) { storeUrl = v; return this; }
        public Builder brokerUrl(String v) { brokerUrl = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        public Builder jwtSecret(String v) { jwtSecret = v; return this; }
        public Builder jwtPublicKeyPem(Path v) { jwtPublicKeyPem = v; return this; }
        public Builder jwksUrl(URI v) { jwksUrl = v; return this; }
        public Builder jwtCookie(String v) { jwtCookie = v; return this; }
        public Builder apiKeys(List<String> v) { apiKeys = v; return this; }
        public Builder apiKey(String v) { apiKeys = List.of(v); return this; }
        public Builder devMode(boolean v) { devMode = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder maxNotificationBytes(int v) { maxNotificationBytes = v; return this; }
        public Builder maxHttpBodyBytes(int v) { maxHttpBodyBytes = v; return this; }
        public Builder outboundCapBytes(int v) { outboundCapBytes = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder corsOrigins(List<String> v) { corsOrigins = v; return this; }
        public Builder clientFrameRate(int v) { clientFrameRate = v; return this; }
        public Builder clientFrameBurst(int v) { clientFrameBurst = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
        public Builder maxConnectionsPerUser(int v) { maxConnectionsPerUser = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder eventLoops(int v) { eventLoops = v; return this; }
        public Builder notificationRetention(Duration v) { notificationRetention = v; return this; }
        public Builder maxNewConversationsPerHour(int v) { maxNewConversationsPerHour = v; return this; }
        public Builder socketIo(SocketIoSettings v) { socketIo = v; return this; }
        public Builder push(PushOptions v) { push = v; return this; }
        public Builder logLevel(String v) { logLevel = v; return this; }

        public HeraldConfig build() {
            return new HeraldConfig(host, port, dataDir, storeUrl, brokerUrl, nodeId, jwtSecret, jwtPublicKeyPem,
                    jwksUrl, jwtCookie, apiKeys, devMode, maxFrameBytes, maxNotificationBytes, maxHttpBodyBytes,
                    outboundCapBytes, pingInterval, idleTimeout, clientFrameRate, clientFrameBurst, corsOrigins,
                    maxConnections, maxConnectionsPerIp, maxConnectionsPerUser, requestTimeout, eventLoops,
                    notificationRetention, maxNewConversationsPerHour, socketIo, push, logLevel);
        }
    }
}
