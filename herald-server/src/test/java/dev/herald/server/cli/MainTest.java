package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.auth.JwtVerifier;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.DevCredentials;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.RelayRule;
import dev.herald.server.config.SocketIoSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-cli-secret";
    static final String API_KEY = "cli-api-key-0123456789";

    @TempDir
    Path dir;

    private final List<HeraldConfig> started = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private NodeRunner runner = (config, out) -> started.add(config);

    @Test
    void startPassesFlagsOverEnvironmentOverConfigFileToTheNode() throws Exception {
        Path file = Files.writeString(dir.resolve("herald.properties"),
                "port=3000\nnode-id=file-node\nidle-timeout=2m\nmax-frame-bytes=16k\n");
        env.put("HERALD_CONFIG", file.toString());
        env.put("HERALD_PORT", "2000");
        env.put("HERALD_NODE_ID", "env-node");

        Run run = run("start", "--port", "1000", "--data-dir", dir.toString(), "--jwt-secret", SECRET,
                "--api-key", API_KEY, "--api-key", "second-key-0123456789,third-key-0123456789", "--dev");

        assertThat(run.code).as(run.err).isZero();
        HeraldConfig config = started.get(0);
        assertThat(config.port()).isEqualTo(1000);
        assertThat(config.nodeId()).isEqualTo("env-node");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.maxFrameBytes()).isEqualTo(16 * 1024);
        assertThat(config.apiKeys()).containsExactly(API_KEY, "second-key-0123456789", "third-key-0123456789");
        assertThat(config.devMode()).isTrue();
        assertThat(config.jwtCookie()).isEqualTo("access_token");
        assertThat(run.out).as("given credentials are not echoed").doesNotContain(SECRET);
    }

    @Test
    void badOptionValuesExitWithCode2AndAReadableMessage() {
        Run abc = run("start", "--port", "abc", "--data-dir", dir.toString());
        Run tooHigh = run("start", "--port", "70000", "--data-dir", dir.toString());
        Run duration = run("start", "--ping-interval", "soon", "--data-dir", dir.toString());

        assertThat(abc.code).isEqualTo(2);
        assertThat(abc.err).contains("Invalid value for option '--port': 'abc' is not a port number (0-65535")
                .contains("Try 'herald start --help' for usage.")
                .doesNotContain("\tat ");
        assertThat(tooHigh.code).isEqualTo(2);
        assertThat(tooHigh.err).contains("'70000' is not a port number");
        assertThat(duration.code).isEqualTo(2);
        assertThat(duration.err).contains("Invalid value for option '--ping-interval': 'soon' is not a duration");
        assertThat(started).as("nothing started").isEmpty();
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        env.put("HERALD_MAX_FRAME_BYTES", "huge");

        Run run = run("start", "--data-dir", dir.toString());

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("Invalid value for environment variable HERALD_MAX_FRAME_BYTES: 'huge' is not a size");
    }

    @Test
    void unknownOptionExitsWithCode2AndAUsageHint() {
        Run run = run("start", "--prot", "9000");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("Unknown options: '--prot', '9000'").contains("Try 'herald start --help' for usage.");
    }

    @Test
    void firstStartGeneratesAndShowsCredentialsLaterStartsReuseThemQuietly() {
        Run first = run("start", "--data-dir", dir.toString());
        Run second = run("start", "--data-dir", dir.toString());

        assertThat(first.code).as(first.err).isZero();
        assertThat(second.code).as(second.err).isZero();
        HeraldConfig a = started.get(0);
        HeraldConfig b = started.get(1);
        assertThat(b.jwtSecret()).isEqualTo(a.jwtSecret());
        assertThat(b.apiKeys()).isEqualTo(a.apiKeys());
        assertThat(first.out).contains("Generated development credentials", a.jwtSecret(), a.apiKeys().get(0),
                "herald token --user 42", dir.resolve(DevCredentials.FILE_NAME).toString());
        assertThat(second.out).contains("Using development credentials kept in " + dir.resolve(DevCredentials.FILE_NAME))
                .doesNotContain(a.jwtSecret()).doesNotContain(a.apiKeys().get(0));
    }

    @Test
    void givenSecretStillGetsAGeneratedApiKeyButNoGeneratedSecret() {
        Run run = run("start", "--data-dir", dir.toString(), "--jwt-secret", SECRET);

        assertThat(run.code).as(run.err).isZero();
        assertThat(started.get(0).jwtSecret()).isEqualTo(SECRET);
        assertThat(run.out).contains("API key:").doesNotContain("JWT secret");
    }

    @Test
    void tokenPrintsOnlyAJwtThatTheVerifierAccepts() throws Exception {
        run("start", "--data-dir", dir.toString());
        HeraldConfig config = started.get(0);

        Run run = run("token", "--user", "42", "--topics", "branch:7,branch:8", "--name", "John Doe",
                "--ttl", "10m", "--data-dir", dir.toString());

        assertThat(run.code).as(run.err).isZero();
        assertThat(run.err).isEmpty();
        assertThat(run.out).endsWith("\n").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\R");
        Principal p = new JwtVerifier(config).verify(run.out.strip());
        assertThat(p.userId()).isEqualTo("42");
        assertThat(p.name()).isEqualTo("John Doe");
        assertThat(p.topics()).containsExactlyInAnyOrder("branch:7", "branch:8");
        assertThat(p.expiresAt()).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
    }

    @Test
    void tokenUsesTheSecretFromTheEnvironment() throws Exception {
        env.put("HERALD_JWT_SECRET", SECRET);

        Run run = run("token", "--user", "7", "--data-dir", dir.toString());

        HeraldConfig config = HeraldConfig.builder().jwtSecret(SECRET).apiKey(API_KEY).build();
        assertThat(new JwtVerifier(config).verify(run.out.strip()).userId()).isEqualTo("7");
    }

    @Test
    void tokenWithoutAnySecretExitsWith1AndSaysHowToGetOne() {
        Run run = run("token", "--user", "42", "--data-dir", dir.toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.out).isEmpty();
        assertThat(run.err).contains("no JWT secret to sign with").contains("--jwt-secret").contains("herald start");
    }

    @Test
    void tokenWithABadTtlOrMissingUserExitsWith2() {
        assertThat(run("token", "--user", "42", "--ttl", "forever", "--jwt-secret", SECRET).code).isEqualTo(2);
        Run noUser = run("token", "--jwt-secret", SECRET);
        assertThat(noUser.code).isEqualTo(2);
        assertThat(noUser.err).contains("Missing required option: '--user=ID'");
    }

    @Test
    void unusableDataDirectoryExitsWith1WithoutStarting() throws Exception {
        Path blocker = Files.writeString(dir.resolve("blocker"), "x");

        Run run = run("start", "--data-dir", blocker.resolve("data").toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).startsWith("herald: Cannot create data directory " + blocker.resolve("data")).doesNotContain("\tat ");
        assertThat(started).isEmpty();
    }

    @Test
    void startupFailureOfTheNodeExitsWith1WithItsMessageOnly() {
        runner = (config, out) -> {
            throw new HeraldStartupException("Port 8080 is already in use; pick another with --port",
                    new java.net.BindException("Address already in use"));
        };

        Run run = run("start", "--data-dir", dir.toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).isEqualTo("herald: Port 8080 is already in use; pick another with --port" + System.lineSeparator());
    }

    @Test
    void versionAndHelpExitZero() {
        Run version = run("--version");
        Run help = run("start", "--help");

        assertThat(version.code).isZero();
        assertThat(version.out).startsWith("Herald ");
        assertThat(help.code).isZero();
        assertThat(help.out).contains("--port=PORT", "--jwks-url=URL", "--idle-timeout=DURATION", "HERALD_PORT");
    }

    @Test
    void socketIoSettingsAreStartOptionsReachingTheNode() {
        Run run = run("start", "--data-dir", dir.toString(), "--socketio-notification-events", "notification",
                "--socketio-relay", "bookingUpdate:booking:bookingId:bookingUpdated");
        Run help = run("start", "--help");

        assertThat(run.code).as(run.err).isZero();
        SocketIoSettings socketIo = started.get(0).socketIo();
        assertThat(socketIo.notificationEvents()).containsExactly("notification");
        assertThat(socketIo.relayRules()).containsExactly(new RelayRule("bookingUpdate", "booking", "bookingId", "bookingUpdated"));
        assertThat(help.out).contains("--socketio-notification-events=NAMES", "--socketio-relay=RULES");
    }

    @Test
    void badRelayRuleInTheEnvironmentExitsWith2NamingTheVariable() {
        env.put("HERALD_SOCKETIO_RELAY", "bookingUpdate:booking");

        Run run = run("start", "--data-dir", dir.toString());

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("Invalid value for environment variable HERALD_SOCKETIO_RELAY: 'bookingUpdate:booking'"
                + " is not a list of relay rules: rule 'bookingUpdate:booking' must be clientEvent:topicType:idField:serverEvent");
        assertThat(started).as("nothing started").isEmpty();
    }

    @Test
    void logLevelIsAStartOptionAndTheServerRunnerAppliesIt() {
        Run run = run("start", "--data-dir", dir.toString(), "--log-level", "warn");
        Run bad = run("start", "--data-dir", dir.toString(), "--log-level", "loud");

        assertThat(run.code).as(run.err).isZero();
        assertThat(started.get(0).logLevel()).isEqualTo("WARN");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains("Invalid value for option '--log-level': 'loud' is not a log level");

        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = root.getLevel();
        try {
            NodeRunner.applyLogLevel("ERROR");
            assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
        } finally {
            root.setLevel(before);
        }
    }

    @Test
    void everySettingIsAnOptionOfStartAndEveryOptionASetting() {
        CommandSpec start = new CommandLine(new StartCommand(env, runner, new SecureRandom())).getCommandSpec();

        for (String name : ConfigSources.NAMES) {
            assertThat(start.findOption("--" + name)).as("herald start --" + name).isNotNull();
        }
        List<String> options = start.options().stream().map(OptionSpec::longestName)
                .filter(o -> !o.equals("--help") && !o.equals("--version")).map(o -> o.substring(2)).toList();
        assertThat(ConfigSources.NAMES).containsAll(options);
    }

    @Test
    void listeningLineShowsALocalAddressForWildcardBinds() {
        assertThat(NodeRunner.listeningLine("0.0.0.0", 43123, "node-1"))
                .isEqualTo("Herald listening on http://127.0.0.1:43123 (node node-1)");
        assertThat(NodeRunner.listeningLine("127.0.0.1", 8080, "a")).isEqualTo("Herald listening on http://127.0.0.1:8080 (node a)");
        assertThat(NodeRunner.listeningLine("10.0.0.5", 8080, "b")).isEqualTo("Herald listening on http://10.0.0.5:8080 (node b)");
        assertThat(NodeRunner.listeningLine("::1", 8080, "c")).isEqualTo("Herald listening on http://[::1]:8080 (node c)");
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, env, runner, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private record Run(int code, String out, String err) {
    }
}
