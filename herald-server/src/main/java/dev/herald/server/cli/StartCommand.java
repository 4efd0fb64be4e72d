package dev.herald.server.cli;

import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.ConfigResolver;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.DataDirectory;
import dev.herald.server.config.DevCredentials;
import dev.herald.server.config.HeraldConfig;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code herald start}: resolves the settings (flag, then HERALD_* environment variable, then
 * config file, then default), prepares the data directory and development credentials, and runs
 * the node. Options are read as text here and typed by {@link ConfigResolver}, so a bad value
 * gets the same message whether it came from a flag, the environment or the file.
 */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a Herald node.",
        footer = {"", "Each option can also be set by an environment variable HERALD_<NAME>",
                "(e.g. HERALD_PORT, HERALD_DATA_DIR, HERALD_JWT_SECRET) or by a key in the",
                "config file (e.g. port=9000). Precedence: option > environment > config file",
                "> default. Without a JWT key or an API key, development credentials are",
                "generated once and kept in DATA_DIR/credentials.properties."})
final class StartCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final NodeRunner runner;
    private final SecureRandom random;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default 0.0.0.0).")
    String host;
    @Option(names = "--port", paramLabel = "PORT", description = "Port to bind; 0 picks a free one (default 8080).")
    String port;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Embedded database and generated credentials (default ./herald-data).")
    String dataDir;
    @Option(names = "--store", paramLabel = "URL", description = "postgresql://host:port/db or jdbc: URL (default: embedded H2 in the data dir).")
    String store;
    @Option(names = "--broker", paramLabel = "URL", description = "redis://host:port to join a cluster (default: in-process).")
    String broker;
    @Option(names = "--node-id", paramLabel = "ID", description = "This node's name in logs and the cluster (default node-1).")
    String nodeId;
    @Option(names = "--jwt-secret", paramLabel = "SECRET", description = "HS256 secret, at least 32 bytes.")
    String jwtSecret;
    @Option(names = "--jwt-public-key", paramLabel = "FILE", description = "PEM public key (RSA or EC) for RS256/ES256 tokens.")
    String jwtPublicKey;
    @Option(names = "--jwks-url", paramLabel = "URL", description = "JWKS URL for RS256/ES256 tokens.")
    String jwksUrl;
    @Option(names = "--jwt-cookie", paramLabel = "NAME", description = "Cookie that may carry the JWT (default access_token).")
    String jwtCookie;
    @Option(names = "--api-key", paramLabel = "KEY", description = "API key for app backends; repeat or separate with commas.")
    List<String> apiKeys;
    @Option(names = "--dev", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Development mode (dev-token endpoint). Never in production.")
    String dev;
    @Option(names = "--max-frame-bytes", paramLabel = "SIZE", description = "Largest WebSocket frame from a client, e.g. 64k (default 64k).")
    String maxFrameBytes;
    @Option(names = "--max-notification-bytes", paramLabel = "SIZE", description = "Largest notification a publisher may send (default 64k).")
    String maxNotificationBytes;
    @Option(names = "--max-http-body-bytes", paramLabel = "SIZE", description = "Largest HTTP request body (default 1m).")
    String maxHttpBodyBytes;
    @Option(names = "--outbound-cap-bytes", paramLabel = "SIZE", description = "Bytes queued for one slow client before it is told to reconnect (default 4m).")
    String outboundCapBytes;
    @Option(names = "--ping-interval", paramLabel = "DURATION", description = "Ping idle connections this often, e.g. 25s (default 25s).")
    String pingInterval;
    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Close connections silent this long, e.g. 1m (default 60s).")
    String idleTimeout;
    @Option(names = "--client-frame-rate", paramLabel = "N",
            description = "Frames per second one client connection may send (default 20); over it frames are refused.")
    String clientFrameRate;
    @Option(names = "--client-frame-burst", paramLabel = "N",
            description = "Frames one client connection may send in a burst (default 40).")
    String clientFrameBurst;
    @Option(names = "--cors-origins", paramLabel = "ORIGINS",
            description = "Browser origins besides Herald's own allowed to use the API and sockets, comma separated, or * (default: none).")
    String corsOrigins;
    @Option(names = "--max-connections", paramLabel = "N",
            description = "Open connections in total (default 0: the open-files limit less a reserve).")
    String maxConnections;
    @Option(names = "--max-connections-per-ip", paramLabel = "N",
            description = "Open connections from one client address (default 1000; 0: no limit, e.g. behind a proxy).")
    String maxConnectionsPerIp;
    @Option(names = "--max-connections-per-user", paramLabel = "N",
            description = "Open sockets of one user on this node (default 100; 0: no limit).")
    String maxConnectionsPerUser;
    @Option(names = "--request-timeout", paramLabel = "DURATION",
            description = "Time a connection has to send a complete HTTP request, and to send the next one (default 10s).")
    String requestTimeout;
    @Option(names = "--notification-retention", paramLabel = "DURATION",
            description = "How long a notification is kept at most, e.g. 30d (default 90d; at least 1h).")
    String notificationRetention;
    @Option(names = "--event-loops", paramLabel = "N",
            description = "I/O threads that own the connections (default 0: one per available processor).")
    String eventLoops;
    @Option(names = "--max-new-conversations-per-hour", paramLabel = "N",
            description = "Conversations one user may create per hour (default 60; 0: only app backends create them).")
    String maxNewConversationsPerHour;
    @Option(names = "--socketio-notification-events", paramLabel = "NAMES",
            description = "Socket.IO events a notification is emitted under, comma separated (default notification,newNotification).")
    String socketioNotificationEvents;
    @Option(names = "--socketio-relay", paramLabel = "RULES",
            description = "Socket.IO client events to relay to a topic's sockets, clientEvent:topicType:idField:serverEvent, comma separated (default: none).")
    String socketioRelay;
    @Option(names = "--push-webpush", paramLabel = "BOOL",
            description = "Send Web Push to browsers (default true).")
    String pushWebpush;
    @Option(names = "--push-vapid-subject", paramLabel = "URI",
            description = "Contact in the VAPID token push services see: mailto: or https: (default mailto:push@herald.invalid; set yours, Apple refuses placeholders).")
    String pushVapidSubject;
    @Option(names = "--push-vapid-public-key", paramLabel = "KEY",
            description = "VAPID public key, base64url (default: generated once in the data dir; every node of a cluster must use the same).")
    String pushVapidPublicKey;
    @Option(names = "--push-vapid-private-key", paramLabel = "KEY",
            description = "VAPID private key, base64url, with --push-vapid-public-key (prefer the env var or config file: flags show in ps).")
    String pushVapidPrivateKey;
    @Option(names = "--push-allow-http-endpoints", paramLabel = "BOOL",
            description = "Accept Web Push endpoints on plain http: loopback test services only (default false).")
    String pushAllowHttpEndpoints;
    @Option(names = "--push-apns-key-file", paramLabel = "FILE",
            description = "APNs token signing key (.p8): turns APNs on.")
    String pushApnsKeyFile;
    @Option(names = "--push-apns-key-id", paramLabel = "ID",
            description = "The .p8 key's id.")
    String pushApnsKeyId;
    @Option(names = "--push-apns-team-id", paramLabel = "ID",
            description = "The Apple developer team id.")
    String pushApnsTeamId;
    @Option(names = "--push-apns-url", paramLabel = "URL",
            description = "APNs production server (default https://api.push.apple.com:443).")
    String pushApnsUrl;
    @Option(names = "--push-apns-sandbox-url", paramLabel = "URL",
            description = "APNs development server (default https://api.sandbox.push.apple.com:443).")
    String pushApnsSandboxUrl;
    @Option(names = "--push-fcm-service-account", paramLabel = "FILE",
            description = "Firebase service account JSON: turns FCM on.")
    String pushFcmServiceAccount;
    @Option(names = "--push-fcm-url", paramLabel = "URL",
            description = "FCM API base (default https://fcm.googleapis.com).")
    String pushFcmUrl;
    @Option(names = "--push-fcm-token-url", paramLabel = "URL",
            description = "OAuth token endpoint for FCM (default: the service account's token_uri).")
    String pushFcmTokenUrl;
    @Option(names = "--push-trust-file", paramLabel = "FILE",
            description = "PEM certificates to trust for every push provider instead of the JDK's CAs (private deployments, tests).")
    String pushTrustFile;
    @Option(names = "--push-webpush-hosts", paramLabel = "LIST",
            description = "Hosts a Web Push endpoint may name, comma separated; *.domain for every host under it, * for any (default: the public push services of Chrome, Firefox, Edge and Safari).")
    String pushWebpushHosts;
    @Option(names = "--push-chat-policy", paramLabel = "POLICY",
            description = "How a chat message's notification is pushed to members not in the chat: none, always or when_offline (default when_offline).")
    String pushChatPolicy;
    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "TRACE, DEBUG, INFO, WARN or ERROR (default INFO).")
    String logLevel;
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (Java properties, keys are option names).")
    String config;

    StartCommand(Map<String, String> env, NodeRunner runner, SecureRandom random) {
        this.env = env;
        this.runner = runner;
        this.random = random;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            HeraldConfig resolved = resolve(out);
            runner.run(resolved, out);
            return 0;
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (HeraldStartupException e) {
            err.println("herald: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private HeraldConfig resolve(PrintWriter out) {
        ConfigResolver resolver = new ConfigResolver(ConfigSources.load(flags(), env));
        DataDirectory.prepare(resolver.dataDir());
        HeraldConfig.Builder builder = resolver.builder();
        if (!resolver.jwtKeyGiven() || !resolver.apiKeyGiven()) {
            DevCredentials credentials = DevCredentials.loadOrCreate(
                    resolver.dataDir(), !resolver.jwtKeyGiven(), !resolver.apiKeyGiven(), random);
            if (!resolver.jwtKeyGiven()) {
                builder.jwtSecret(credentials.jwtSecret());
            }
            if (!resolver.apiKeyGiven()) {
                builder.apiKey(credentials.apiKey());
            }
            report(credentials, out);
        }
        return ConfigResolver.build(builder);
    }

    private static void report(DevCredentials credentials, PrintWriter out) {
        String where = credentials.file().toAbsolutePath().normalize().toString();
        if (!credentials.generated()) {
            out.println("Using development credentials kept in " + where);
            return;
        }
        out.println("Generated development credentials, shown only this once (saved, owner-only, in " + where + "):");
        if (credentials.generatedSecret()) {
            out.println("  JWT secret (HS256): " + credentials.jwtSecret());
        }
        if (credentials.generatedApiKey()) {
            out.println("  API key:            " + credentials.apiKey());
        }
        out.println("How to use: './herald token --user 42' prints a user token for ?access_token=...;"
                + " app backends send the API key. For production pass --jwt-secret and --api-key.");
        out.flush();
    }

    /** The options given on this command line, keyed like {@link ConfigSources#NAMES}. */
    Map<String, String> flags() {
        Map<String, String> flags = new HashMap<>();
        put(flags, "host", host);
        put(flags, "port", port);
        put(flags, "data-dir", dataDir);
        put(flags, "store", store);
        put(flags, "broker", broker);
        put(flags, "node-id", nodeId);
        put(flags, "jwt-secret", jwtSecret);
        put(flags, "jwt-public-key", jwtPublicKey);
        put(flags, "jwks-url", jwksUrl);
        put(flags, "jwt-cookie", jwtCookie);
        put(flags, "api-key", apiKeys == null ? null : String.join(",", apiKeys));
        put(flags, "dev", dev);
        put(flags, "cors-origins", corsOrigins);
        put(flags, "max-connections", maxConnections);
        put(flags, "max-connections-per-ip", maxConnectionsPerIp);
        put(flags, "max-connections-per-user", maxConnectionsPerUser);
        put(flags, "request-timeout", requestTimeout);
        put(flags, "event-loops", eventLoops);
        put(flags, "notification-retention", notificationRetention);
        put(flags, "max-new-conversations-per-hour", maxNewConversationsPerHour);
        put(flags, "client-frame-rate", clientFrameRate);
        put(flags, "client-frame-burst", clientFrameBurst);
        put(flags, "max-frame-bytes", maxFrameBytes);
        put(flags, "max-notification-bytes", maxNotificationBytes);
        put(flags, "max-http-body-bytes", maxHttpBodyBytes);
        put(flags, "outbound-cap-bytes", outboundCapBytes);
        put(flags, "ping-interval", pingInterval);
        put(flags, "idle-timeout", idleTimeout);
        put(flags, "socketio-notification-events", socketioNotificationEvents);
        put(flags, "socketio-relay", socketioRelay);
        put(flags, "push-webpush", pushWebpush);
        put(flags, "push-vapid-subject", pushVapidSubject);
        put(flags, "push-vapid-public-key", pushVapidPublicKey);
        put(flags, "push-vapid-private-key", pushVapidPrivateKey);
        put(flags, "push-allow-http-endpoints", pushAllowHttpEndpoints);
        put(flags, "push-apns-key-file", pushApnsKeyFile);
        put(flags, "push-apns-key-id", pushApnsKeyId);
        put(flags, "push-apns-team-id", pushApnsTeamId);
        put(flags, "push-apns-url", pushApnsUrl);
        put(flags, "push-apns-sandbox-url", pushApnsSandboxUrl);
        put(flags, "push-fcm-service-account", pushFcmServiceAccount);
        put(flags, "push-fcm-url", pushFcmUrl);
        put(flags, "push-fcm-token-url", pushFcmTokenUrl);
        put(flags, "push-trust-file", pushTrustFile);
        put(flags, "push-webpush-hosts", pushWebpushHosts);
        put(flags, "push-chat-policy", pushChatPolicy);
        put(flags, "log-level", logLevel);
        put(flags, "config", config);
        return flags;
    }

    private static void put(Map<String, String> flags, String name, String value) {
        if (value != null) {
            flags.put(name, value);
        }
    }
}
