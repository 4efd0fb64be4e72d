package dev.herald.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The three places a setting can come from, looked up in order of precedence: command-line
 * flag, then environment variable {@code HERALD_<NAME>} (e.g. {@code HERALD_DATA_DIR} for
 * {@code data-dir}), then the config file (Java properties keyed by option name, e.g.
 * {@code port=9000}). Blank values count as unset, so {@code HERALD_STORE=} means "not given".
 *
 * <p>The config file is named by the {@code config} flag or {@code HERALD_CONFIG}; unknown keys in
 * it are refused, so a typo does not silently fall back to a default. Immutable.
 */
public final class ConfigSources {
    /** Every setting name a flag, environment variable or config file key may use. */
    public static final List<String> NAMES = List.of(
            "host", "port", "data-dir", "store", "broker", "node-id",
            "jwt-secret", "jwt-public-key", "jwks-url", "jwt-cookie", "api-key", "dev",
            "max-frame-bytes", "max-notification-bytes", "max-http-body-bytes", "outbound-cap-bytes",
            "ping-interval", "idle-timeout", "client-frame-rate", "client-frame-burst", "cors-origins",
            "max-connections", "max-connections-per-ip", "max-connections-per-user", "request-timeout", "event-loops",
            "notification-retention",
            "push-webpush", "push-vapid-subject", "push-vapid-public-key", "push-vapid-private-key",
            "push-allow-http-endpoints", "push-apns-key-file", "push-apns-key-id", "push-apns-team-id", "push-apns-url",
            "push-apns-sandbox-url", "push-fcm-service-account", "push-fcm-url", "push-fcm-token-url", "push-trust-file", "push-webpush-hosts", "push-chat-policy",
            "max-new-conversations-per-hour", "socketio-notification-events", "socketio-relay", "log-level", "config");

    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Properties file;
    private final Path configFile;

    private ConfigSources(Map<String, String> flags, Map<String, String> env, Properties file, Path configFile) {
        this.flags = flags;
        this.env = env;
        this.file = file;
        this.configFile = configFile;
    }

    /**
     * @param flags values given on the command line, keyed by option name without dashes
     * @param env   the process environment
     * @throws ConfigException when the named config file is missing, unreadable or has unknown keys
     */
    public static ConfigSources load(Map<String, String> flags, Map<String, String> env) {
        ConfigSources withoutFile = new ConfigSources(Map.copyOf(flags), Map.copyOf(env), new Properties(), null);
        Optional<ConfigValue> configValue = withoutFile.get("config");
        if (configValue.isEmpty()) {
            return withoutFile;
        }
        Path path = configValue.get().asPath();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw configValue.get().invalid("names a config file that does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw configValue.get().invalid("names a config file that cannot be read (" + e.getMessage() + ")");
        }
        TreeSet<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        NAMES.forEach(unknown::remove);
        unknown.remove("config");
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown + " in config file "
                    + path + "; known keys: " + String.join(", ", NAMES.subList(0, NAMES.size() - 1)));
        }
        return new ConfigSources(withoutFile.flags, withoutFile.env, properties, path);
    }

    /** The environment variable for a setting, e.g. {@code HERALD_DATA_DIR} for {@code data-dir}. */
    public static String envName(String name) {
        return "HERALD_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The highest-precedence non-blank value of {@code name}, if any source gives one. */
    public Optional<ConfigValue> get(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("name: unknown setting '" + name + "'");
        }
        String flag = flags.get(name);
        if (flag != null && !flag.isBlank()) {
            return Optional.of(new ConfigValue(name, flag.strip(), "option '--" + name + "'"));
        }
        String envName = envName(name);
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new ConfigValue(name, fromEnv.strip(), "environment variable " + envName));
        }
        String fromFile = name.equals("config") ? null : file.getProperty(name);
        if (fromFile != null && !fromFile.isBlank()) {
            return Optional.of(new ConfigValue(name, fromFile.strip(), "key '" + name + "' in config file " + configFile));
        }
        return Optional.empty();
    }

    /** The config file read, if one was named. */
    public Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }
}
