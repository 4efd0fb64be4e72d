package dev.herald.server.cli;

import dev.herald.server.auth.TokenIssuer;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.ConfigValue;
import dev.herald.server.config.DevCredentials;
import dev.herald.server.config.HeraldStartupException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code herald token}: prints one HS256 user token and nothing else on stdout, signed with the
 * secret {@code herald start} would use (option, HERALD_JWT_SECRET, config file, or the
 * development credentials in the data directory). Generates nothing: with no secret anywhere it
 * says how to get one and exits 1.
 */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a signed user token (JWT, HS256) for development and tests.")
final class TokenCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private ConfigSources sources;

    @Spec
    CommandSpec spec;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "User id (the token's sub).")
    String user;
    @Option(names = "--topics", split = ",", paramLabel = "TOPIC", description = "Topics to grant, e.g. branch:7,branch:8.")
    List<String> topics = new ArrayList<>();
    @Option(names = "--name", paramLabel = "NAME", description = "Display name claim.")
    String name;
    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "Lifetime, e.g. 15m, 1h, 7d (default ${DEFAULT-VALUE}).")
    String ttl;
    @Option(names = "--jwt-secret", paramLabel = "SECRET", description = "HS256 secret (else HERALD_JWT_SECRET, config file, or DATA_DIR/credentials.properties).")
    String jwtSecret;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where 'herald start' keeps its credentials (default ./herald-data).")
    String dataDir;
    @Option(names = "--config", paramLabel = "FILE", description = "Config file, as for 'herald start'.")
    String config;

    TokenCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        try {
            Duration lifetime = new ConfigValue("ttl", ttl.strip(), "option '--ttl'").asDuration();
            if (user.isBlank()) {
                throw new ConfigException("Invalid value for option '--user': must not be blank");
            }
            Optional<String> secret = secret();
            if (secret.isEmpty()) {
                spec.commandLine().getErr().println("herald: no JWT secret to sign with. Pass --jwt-secret, set HERALD_JWT_SECRET,"
                        + " put jwt-secret in the config file, or run 'herald start' once to generate development"
                        + " credentials in " + dataDirectory().toAbsolutePath().normalize());
                return 1;
            }
            List<String> granted = topics.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
            String token = new TokenIssuer(secret.get()).issue(user.strip(), name, granted, lifetime);
            spec.commandLine().getOut().println(token);
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (HeraldStartupException e) {
            spec.commandLine().getErr().println("herald: " + e.getMessage());
            return 1;
        }
    }

    private Optional<String> secret() {
        Optional<ConfigValue> given = sources().get("jwt-secret");
        if (given.isPresent()) {
            if (given.get().asString().getBytes(StandardCharsets.UTF_8).length < 32) {
                throw given.get().invalid("is too short; an HS256 secret needs at least 32 bytes");
            }
            return Optional.of(given.get().asString());
        }
        return DevCredentials.storedSecret(dataDirectory());
    }

    private Path dataDirectory() {
        return sources().get("data-dir").map(ConfigValue::asPath).orElse(Path.of("herald-data"));
    }

    private ConfigSources sources() {
        if (sources == null) {
            sources = load();
        }
        return sources;
    }

    private ConfigSources load() {
        Map<String, String> flags = new HashMap<>();
        if (jwtSecret != null) {
            flags.put("jwt-secret", jwtSecret);
        }
        if (dataDir != null) {
            flags.put("data-dir", dataDir);
        }
        if (config != null) {
            flags.put("config", config);
        }
        return ConfigSources.load(flags, env);
    }
}
