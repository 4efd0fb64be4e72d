package dev.herald.server.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@link ConfigSources} into a {@link HeraldConfig}: every setting given anywhere is read,
 * typed and checked, the rest keep the builder's defaults. Starts nothing and touches no file
 * except the config file already read, so it is testable with plain maps.
 *
 * <p>The JWT key source and API keys may be left unset here; the command line fills them from
 * the development credentials (see {@link DevCredentials}) before {@link #build}. Not thread-safe;
 * use one per resolution.
 */
public final class ConfigResolver {
    private final ConfigSources sources;
    private final HeraldConfig.Builder builder = HeraldConfig.builder();
    private Path dataDir = Path.of("herald-data");
    private boolean jwtKeyGiven;
    private boolean apiKeyGiven;

    /** @throws ConfigException naming the first invalid value */
    public ConfigResolver(ConfigSources sources) {
        this.sources = sources;
        read();
    }

    private void read() {
        value("host").ifPresent(v -> builder.host(v.asString()));
        value("port").ifPresent(v -> builder.port(v.asPort()));
        value("data-dir").ifPresent(v -> dataDir = v.asPath());
        builder.dataDir(dataDir);
        value("store").ifPresent(v -> builder.storeUrl(v.asString()));
        value("broker").ifPresent(v -> builder.brokerUrl(v.asString()));
        value("node-id").ifPresent(v -> builder.nodeId(v.asString()));
        value("jwt-cookie").ifPresent(v -> builder.jwtCookie(v.asString()));
        value("dev").ifPresent(v -> builder.devMode(v.asBoolean()));
        value("max-frame-bytes").ifPresent(v -> builder.maxFrameBytes(v.asBytes()));
        value("max-notification-bytes").ifPresent(v -> builder.maxNotificationBytes(v.asBytes()));
        value("max-http-body-bytes").ifPresent(v -> builder.maxHttpBodyBytes(v.asBytes()));
        value("outbound-cap-bytes").ifPresent(v -> builder.outboundCapBytes(v.asBytes()));
        value("ping-interval").ifPresent(v -> builder.pingInterval(v.asDuration()));
        value("idle-timeout").ifPresent(v -> builder.idleTimeout(v.asDuration()));
        value("client-frame-rate").ifPresent(v -> builder.clientFrameRate(v.asPositiveInt()));
        value("client-frame-burst").ifPresent(v -> builder.clientFrameBurst(v.asPositiveInt()));
        value("max-connections").ifPresent(v -> builder.maxConnections(v.asNonNegativeInt()));
        value("max-connections-per-ip").ifPresent(v -> builder.maxConnectionsPerIp(v.asNonNegativeInt()));
        value("max-connections-per-user").ifPresent(v -> builder.maxConnectionsPerUser(v.asNonNegativeInt()));
        value("request-timeout").ifPresent(v -> builder.requestTimeout(v.asDuration()));
        value("notification-retention").ifPresent(v -> builder.notificationRetention(v.asDuration()));
        value("event-loops").ifPresent(v -> builder.eventLoops(v.asNonNegativeInt()));
        value("max-new-conversations-per-hour").ifPresent(v -> builder.maxNewConversationsPerHour(v.asNonNegativeInt()));
        value("cors-origins").ifPresent(v -> builder.corsOrigins(java.util.Arrays.stream(v.asString().split(","))
                .map(String::strip).filter(o -> !o.isEmpty()).toList()));
        SocketIoSettings socketIo = SocketIoSettings.defaults();
        Optional<ConfigValue> events = value("socketio-notification-events");
        if (events.isPresent()) {
            socketIo = socketIo.withNotificationEvents(eventNames(events.get()));
        }
        Optional<ConfigValue> relay = value("socketio-relay");
        if (relay.isPresent()) {
            socketIo = socketIo.withRelayRules(relayRules(relay.get()));
        }
        builder.socketIo(socketIo);
        builder.push(push());
        value("log-level").ifPresent(v -> builder.logLevel(v.asLogLevel()));

        Optional<ConfigValue> secret = value("jwt-secret");
        secret.ifPresent(v -> {
            if (v.asString().getBytes(StandardCharsets.UTF_8).length < 32) {
                throw v.invalid("is too short; an HS256 secret needs at least 32 bytes");
            }
            builder.jwtSecret(v.asString());
        });
        Optional<ConfigValue> publicKey = value("jwt-public-key");
        publicKey.ifPresent(v -> builder.jwtPublicKeyPem(v.asPath()));
        Optional<ConfigValue> jwks = value("jwks-url");
        jwks.ifPresent(v -> builder.jwksUrl(v.asHttpUrl()));
        jwtKeyGiven = secret.isPresent() || publicKey.isPresent() || jwks.isPresent();

        Optional<ConfigValue> apiKeys = value("api-key");
        apiKeys.ifPresent(v -> {
            List<String> keys = v.asList();
            for (String key : keys) {
                if (key.length() < 16) {
                    throw v.invalid("holds a key shorter than 16 characters");
                }
            }
            builder.apiKeys(keys);
            apiKeyGiven = !keys.isEmpty();
        });
    }

    private static List<String> eventNames(ConfigValue v) {
        List<String> names = v.asList();
        if (names.isEmpty()) {
            throw v.invalid("names no event; give at least one, e.g. notification");
        }
        for (String name : names) {
            if (!SocketIoSettings.isEventName(name)) {
                throw v.invalid("holds '" + name + "', which is not an event name (1 to 64 letters, digits, _ . : -)");
            }
        }
        return names;
    }

    private static List<RelayRule> relayRules(ConfigValue v) {
        try {
            return RelayRule.parseAll(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.invalid("is not a list of relay rules: " + e.getMessage());
        }
    }

    private Optional<ConfigValue> value(String name) {
        return sources.get(name);
    }

    /** The data directory, given or default ({@code ./herald-data}). */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether a JWT secret, public key file or JWKS URL was given. */
    public boolean jwtKeyGiven() {
        return jwtKeyGiven;
    }

    /** Whether at least one API key was given. */
    public boolean apiKeyGiven() {
        return apiKeyGiven;
    }

    /** The builder holding every resolved value, to complete and then pass to {@link #build}. */
    public HeraldConfig.Builder builder() {
        return builder;
    }

    /**
     * Builds the config, turning the record's own checks (e.g. idle timeout not longer than the
     * ping interval) into a {@link ConfigException} with the option names an operator uses.
     */
    public static HeraldConfig build(HeraldConfig.Builder builder) {
        try {
            return builder.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException("Invalid configuration: " + toOptionNames(e.getMessage()));
        }
    }

    /** The {@code push-*} options over {@link PushOptions#defaults()}. */
    private PushOptions push() {
        PushOptions d = PushOptions.defaults();
        try {
            return new PushOptions(
                    value("push-webpush").map(ConfigValue::asBoolean).orElse(d.webPush()),
                    value("push-vapid-subject").map(ConfigValue::asString).orElse(d.vapidSubject()),
                    value("push-vapid-public-key").map(ConfigValue::asString).orElse(null),
                    value("push-vapid-private-key").map(ConfigValue::asString).orElse(null),
                    value("push-allow-http-endpoints").map(ConfigValue::asBoolean).orElse(false),
                    value("push-apns-key-file").map(ConfigValue::asPath).orElse(null),
                    value("push-apns-key-id").map(ConfigValue::asString).orElse(null),
                    value("push-apns-team-id").map(ConfigValue::asString).orElse(null),
                    value("push-apns-url").map(ConfigValue::asHttpUrl).orElse(d.apnsUrl()),
                    value("push-apns-sandbox-url").map(ConfigValue::asHttpUrl).orElse(d.apnsSandboxUrl()),
                    value("push-fcm-service-account").map(ConfigValue::asPath).orElse(null),
                    value("push-fcm-url").map(ConfigValue::asHttpUrl).orElse(d.fcmUrl()),
                    value("push-fcm-token-url").map(ConfigValue::asHttpUrl).orElse(null),
                    value("push-trust-file").map(ConfigValue::asPath).orElse(null),
                    value("push-webpush-hosts").map(ConfigValue::asList).orElse(null),
                    value("push-chat-policy").map(ConfigValue::asString).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid push settings: " + e.getMessage());
        }
    }

    private static String toOptionNames(String message) {
        if (message == null) {
            return "a required setting is missing";
        }
        return message
                .replace("idleTimeout", "idle-timeout").replace("pingInterval", "ping-interval")
                .replace("maxFrameBytes", "max-frame-bytes").replace("maxNotificationBytes", "max-notification-bytes")
                .replace("maxHttpBodyBytes", "max-http-body-bytes").replace("outboundCapBytes", "outbound-cap-bytes")
                .replace("jwtSecret", "jwt-secret").replace("jwtPublicKeyPem", "jwt-public-key")
                .replace("jwksUrl", "jwks-url").replace("corsOrigins", "cors-origins")
                .replace("maxConnectionsPerIp", "max-connections-per-ip").replace("maxConnectionsPerUser", "max-connections-per-user")
                .replace("maxConnections", "max-connections").replace("requestTimeout", "request-timeout")
                .replace("notificationRetention", "notification-retention")
                .replace("maxNewConversationsPerHour", "max-new-conversations-per-hour").replace("apiKeys", "api-key").replace("nodeId", "node-id")
                .replace("logLevel", "log-level").replace("eventLoops", "event-loops");
    }
}
