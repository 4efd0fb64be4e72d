package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
    static final String API_KEY = "api-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = configFile("port=3003\nnode-id=file-node\nping-interval=30s\ndata-dir=/file/dir\n");
        Map<String, String> env = Map.of("HERALD_CONFIG", file.toString(), "HERALD_PORT", "2002",
                "HERALD_NODE_ID", "env-node", "HERALD_DATA_DIR", "/env/dir");
        Map<String, String> flags = Map.of("port", "1001", "data-dir", "/flag/dir");

        HeraldConfig config = resolve(flags, env);

        assertThat(config.port()).as("flag over env and file").isEqualTo(1001);
        assertThat(config.dataDir()).as("flag over env and file").isEqualTo(Path.of("/flag/dir"));
        assertThat(config.nodeId()).as("env over file").isEqualTo("env-node");
        assertThat(config.pingInterval()).as("file over default").isEqualTo(Duration.ofSeconds(30));
        assertThat(config.idleTimeout()).as("default").isEqualTo(Duration.ofSeconds(60));
        assertThat(config.host()).as("default").isEqualTo("0.0.0.0");
    }

    @Test
    void configFileFlagOverridesTheConfigFileFromTheEnvironment() throws Exception {
        Path fromEnv = configFile("port=1111\n");
        Path fromFlag = Files.writeString(dir.resolve("other.properties"), "port=2222\n");

        HeraldConfig config = resolve(Map.of("config", fromFlag.toString()), Map.of("HERALD_CONFIG", fromEnv.toString()));

        assertThat(config.port()).isEqualTo(2222);
    }

    @Test
    void blankEnvironmentValuesCountAsUnset() {
        HeraldConfig config = resolve(Map.of(), Map.of("HERALD_PORT", "  ", "HERALD_STORE", ""));

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.storeUrl()).isNull();
    }

    @Test
    void everySettingIsReadWithItsType() throws Exception {
        Path pem = Files.writeString(dir.resolve("key.pem"), "unused by the resolver");
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_HOST", "127.0.0.1");
        env.put("HERALD_STORE", "postgresql://127.0.0.1:5432/test");
        env.put("HERALD_BROKER", "redis://127.0.0.1:6379");
        env.put("HERALD_JWT_PUBLIC_KEY", pem.toString());
        env.put("HERALD_JWKS_URL", "https://issuer.example/jwks.json");
        env.put("HERALD_JWT_COOKIE", "session");
        env.put("HERALD_API_KEY", API_KEY + ", second-key-0123456789");
        env.put("HERALD_DEV", "true");
        env.put("HERALD_MAX_FRAME_BYTES", "128k");
        env.put("HERALD_MAX_NOTIFICATION_BYTES", "32KiB");
        env.put("HERALD_MAX_HTTP_BODY_BYTES", "2m");
        env.put("HERALD_OUTBOUND_CAP_BYTES", "1048576");
        env.put("HERALD_PING_INTERVAL", "500ms");
        env.put("HERALD_IDLE_TIMEOUT", "1m30s");
        env.put("HERALD_EVENT_LOOPS", "3");

        HeraldConfig c = ConfigResolver.build(new ConfigResolver(ConfigSources.load(Map.of(), env)).builder());

        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.storeUrl()).isEqualTo("postgresql://127.0.0.1:5432/test");
        assertThat(c.brokerUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(c.jwtPublicKeyPem()).isEqualTo(pem);
        assertThat(c.jwksUrl()).hasToString("https://issuer.example/jwks.json");
        assertThat(c.jwtSecret()).isNull();
        assertThat(c.jwtCookie()).isEqualTo("session");
        assertThat(c.apiKeys()).containsExactly(API_KEY, "second-key-0123456789");
        assertThat(c.devMode()).isTrue();
        assertThat(c.maxFrameBytes()).isEqualTo(128 * 1024);
        assertThat(c.maxNotificationBytes()).isEqualTo(32 * 1024);
        assertThat(c.maxHttpBodyBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.outboundCapBytes()).isEqualTo(1048576);
        assertThat(c.pingInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.eventLoops()).isEqualTo(3);
        assertThat(HeraldConfig.builder().jwtSecret(SECRET).apiKey(API_KEY).build().eventLoops())
                .as("default: one per available processor").isZero();
    }

    @Test
    void resolverReportsWhichCredentialsAreMissing() {
        ConfigResolver none = new ConfigResolver(ConfigSources.load(Map.of(), Map.of()));
        ConfigResolver both = new ConfigResolver(ConfigSources.load(Map.of("jwt-secret", SECRET, "api-key", API_KEY), Map.of()));

        assertThat(none.jwtKeyGiven()).isFalse();
        assertThat(none.apiKeyGiven()).isFalse();
        assertThat(both.jwtKeyGiven()).isTrue();
        assertThat(both.apiKeyGiven()).isTrue();
    }

    @Test
    void badValuesNameTheirSource() throws Exception {
        assertThatThrownBy(() -> resolve(Map.of("port", "abc"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value for option '--port': 'abc' is not a port number (0-65535; 0 picks a free port)");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("HERALD_PORT", "70000")))
                .hasMessageStartingWith("Invalid value for environment variable HERALD_PORT: '70000' is not a port number");
        Path file = configFile("idle-timeout=soon\n");
        assertThatThrownBy(() -> resolve(Map.of("config", file.toString()), Map.of()))
                .hasMessageStartingWith("Invalid value for key 'idle-timeout' in config file " + file + ": 'soon' is not a duration");
        assertThatThrownBy(() -> resolve(Map.of("jwks-url", "ftp://x/keys"), Map.of()))
                .hasMessageContaining("is not an http(s) URL");
        assertThatThrownBy(() -> resolve(Map.of("dev", "maybe"), Map.of()))
                .hasMessageContaining("is not a boolean");
        assertThatThrownBy(() -> resolve(Map.of("event-loops", "-1"), Map.of()))
                .hasMessageStartingWith("Invalid value for option '--event-loops': '-1'");
        assertThatThrownBy(() -> resolve(Map.of("event-loops", "100000"), Map.of()))
                .hasMessageContaining("event-loops: must be at most 256, was 100000");
    }

    @Test
    void secretsAreNeverEchoedInMessages() {
        assertThatThrownBy(() -> resolve(Map.of("jwt-secret", "tooshort"), Map.of()))
                .hasMessageContaining("is too short")
                .hasMessageNotContaining("tooshort");
        assertThatThrownBy(() -> resolve(Map.of("api-key", "tiny"), Map.of()))
                .hasMessageContaining("shorter than 16 characters")
                .hasMessageNotContaining("tiny");
    }

    @Test
    void unknownConfigFileKeysAndMissingFilesAreRefused() throws Exception {
        Path typo = configFile("prot=9000\n");
        assertThatThrownBy(() -> ConfigSources.load(Map.of("config", typo.toString()), Map.of()))
                .hasMessageContaining("Unknown key [prot] in config file " + typo);
        assertThatThrownBy(() -> ConfigSources.load(Map.of(), Map.of("HERALD_CONFIG", dir.resolve("nope.properties").toString())))
                .hasMessageContaining("environment variable HERALD_CONFIG")
                .hasMessageContaining("does not exist");
    }

    @Test
    void crossFieldChecksUseOptionNames() {
        assertThatThrownBy(() -> resolve(Map.of("ping-interval", "1m", "idle-timeout", "30s"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("idle-timeout: must be longer than ping-interval");
    }

    @Test
    void socketIoSettingsAreOrdinaryOptions() throws Exception {
        HeraldConfig defaults = resolve(Map.of(), Map.of());
        assertThat(defaults.socketIo()).isEqualTo(SocketIoSettings.defaults());

        HeraldConfig fromFlags = resolve(Map.of("socketio-notification-events", "notification",
                "socketio-relay", "bookingUpdate:booking:bookingId:bookingUpdated, a:b:c:d"), Map.of());
        assertThat(fromFlags.socketIo().notificationEvents()).containsExactly("notification");
        assertThat(fromFlags.socketIo().relayRules()).containsExactly(
                new RelayRule("bookingUpdate", "booking", "bookingId", "bookingUpdated"), new RelayRule("a", "b", "c", "d"));

        // The environment variables deployments already use are now the options' standard HERALD_<NAME>.
        HeraldConfig fromEnv = resolve(Map.of(), Map.of("HERALD_SOCKETIO_NOTIFICATION_EVENTS", "newNotification, app:notify",
                "HERALD_SOCKETIO_RELAY", "x:y:z:w"));
        assertThat(fromEnv.socketIo().notificationEvents()).containsExactly("newNotification", "app:notify");
        assertThat(fromEnv.socketIo().relayRules()).containsExactly(new RelayRule("x", "y", "z", "w"));

        Path file = configFile("socketio-notification-events=notification\nsocketio-relay=x:y:z:w\n");
        HeraldConfig fromFile = resolve(Map.of("config", file.toString()), Map.of("HERALD_SOCKETIO_RELAY", "e:t:id:s"));
        assertThat(fromFile.socketIo().notificationEvents()).containsExactly("notification");
        assertThat(fromFile.socketIo().relayRules()).as("env over file").containsExactly(new RelayRule("e", "t", "id", "s"));
    }

    @Test
    void badSocketIoValuesNameTheOptionAndWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> resolve(Map.of("socketio-relay", "bookingUpdate:booking:bookingId"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value for option '--socketio-relay': 'bookingUpdate:booking:bookingId' is not a list"
                        + " of relay rules: rule 'bookingUpdate:booking:bookingId' must be"
                        + " clientEvent:topicType:idField:serverEvent, e.g. bookingUpdate:booking:bookingId:bookingUpdated");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("HERALD_SOCKETIO_RELAY", "a:b:c:d,a b:c:d:e")))
                .hasMessage("Invalid value for environment variable HERALD_SOCKETIO_RELAY: 'a:b:c:d,a b:c:d:e' is not a list"
                        + " of relay rules: rule 'a b:c:d:e' has part 'a b'; each part is 1 to 64 letters, digits, _ . -");
        Path file = configFile("socketio-relay=a:b:c:d,a:x:y:z\n");
        assertThatThrownBy(() -> resolve(Map.of("config", file.toString()), Map.of()))
                .hasMessageStartingWith("Invalid value for key 'socketio-relay' in config file " + file + ": ")
                .hasMessageEndingWith("relays client event 'a' again; each client event may have one rule");

        assertThatThrownBy(() -> resolve(Map.of("socketio-notification-events", "notification,new notification"), Map.of()))
                .hasMessage("Invalid value for option '--socketio-notification-events': 'notification,new notification'"
                        + " holds 'new notification', which is not an event name (1 to 64 letters, digits, _ . : -)");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("HERALD_SOCKETIO_NOTIFICATION_EVENTS", ",")))
                .hasMessage("Invalid value for environment variable HERALD_SOCKETIO_NOTIFICATION_EVENTS: ','"
                        + " names no event; give at least one, e.g. notification");
    }

    @Test
    void logLevelIsAnOrdinaryOptionCheckedForEverySource() throws Exception {
        assertThat(resolve(Map.of(), Map.of()).logLevel()).isEqualTo("INFO");
        assertThat(resolve(Map.of("log-level", "debug"), Map.of("HERALD_LOG_LEVEL", "ERROR")).logLevel())
                .as("flag over env, any case").isEqualTo("DEBUG");
        assertThat(resolve(Map.of(), Map.of("HERALD_LOG_LEVEL", "warn")).logLevel()).isEqualTo("WARN");
        Path file = configFile("log-level=TRACE\n");
        assertThat(resolve(Map.of("config", file.toString()), Map.of()).logLevel()).isEqualTo("TRACE");

        assertThatThrownBy(() -> resolve(Map.of(), Map.of("HERALD_LOG_LEVEL", "verbose")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value for environment variable HERALD_LOG_LEVEL: 'verbose' is not a log level"
                        + " (TRACE, DEBUG, INFO, WARN, ERROR)");
    }

    @Test
    void pushOptionsResolveFromFlagsEnvironmentAndConfigFile() throws Exception {
        assertThat(resolve(Map.of(), Map.of()).push()).isEqualTo(PushOptions.defaults());

        Path file = configFile("push-webpush=false\npush-vapid-subject=https://ops.example\n"
                + "push-apns-url=https://file.example:443\npush-trust-file=/etc/herald/push-ca.pem\n");
        Map<String, String> env = Map.of("HERALD_CONFIG", file.toString(),
                "HERALD_PUSH_APNS_URL", "https://127.0.0.1:8443",
                "HERALD_PUSH_FCM_SERVICE_ACCOUNT", "/etc/herald/firebase.json",
                "HERALD_PUSH_FCM_TOKEN_URL", "https://127.0.0.1:9443/token");
        Map<String, String> flags = Map.of("push-apns-key-file", "/etc/herald/AuthKey_KEY1234567.p8",
                "push-apns-key-id", "KEY1234567", "push-apns-team-id", "TEAM123456",
                "push-apns-sandbox-url", "https://127.0.0.1:8444");

        PushOptions push = resolve(flags, env).push();

        assertThat(push.apnsKeyFile()).isEqualTo(Path.of("/etc/herald/AuthKey_KEY1234567.p8"));
        assertThat(push.apnsKeyId()).isEqualTo("KEY1234567");
        assertThat(push.apnsTeamId()).isEqualTo("TEAM123456");
        assertThat(push.apnsSandboxUrl()).hasToString("https://127.0.0.1:8444");
        assertThat(push.apnsUrl()).as("env over file").hasToString("https://127.0.0.1:8443");
        assertThat(push.fcmServiceAccount()).isEqualTo(Path.of("/etc/herald/firebase.json"));
        assertThat(push.fcmTokenUrl()).hasToString("https://127.0.0.1:9443/token");
        assertThat(push.fcmUrl()).as("default").isEqualTo(PushOptions.FCM);
        assertThat(push.webPush()).as("file").isFalse();
        assertThat(push.vapidSubject()).isEqualTo("https://ops.example");
        assertThat(push.trustFile()).isEqualTo(Path.of("/etc/herald/push-ca.pem"));
    }

    @Test
    void pushOptionsThatOnlyWorkTogetherAreRefusedNamingTheOption() {
        String publicKey = "BPublicKeyPublicKeyPublicKeyPublicKey";
        String privateKey = "privateVapidKeyNeverShown0123456789";
        assertThatThrownBy(() -> resolve(Map.of("push-vapid-public-key", publicKey), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid push settings: push-vapid-public-key: give both VAPID keys or neither (then they are generated)");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("HERALD_PUSH_VAPID_PRIVATE_KEY", privateKey)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("give both VAPID keys or neither")
                .hasMessageNotContaining(privateKey);
        assertThatThrownBy(() -> resolve(Map.of("push-apns-key-id", "KEY1234567", "push-apns-team-id", "TEAM123456"), Map.of()))
                .hasMessage("Invalid push settings: push-apns-key-file: required with push-apns-key-id and push-apns-team-id");
        assertThatThrownBy(() -> resolve(Map.of("push-apns-key-file", "/k.p8", "push-apns-key-id", "KEY1234567"), Map.of()))
                .hasMessage("Invalid push settings: push-apns-key-id: APNs needs the key file, its key id and the team id");
        assertThatThrownBy(() -> resolve(Map.of("push-vapid-subject", "ops@example.com"), Map.of()))
                .hasMessageContaining("push-vapid-subject: a mailto: or https: URI");
        assertThatThrownBy(() -> resolve(Map.of("push-fcm-url", "ftp://fcm.example"), Map.of()))
                .hasMessage("Invalid value for option '--push-fcm-url': 'ftp://fcm.example' is not an http(s) URL");
    }

    @Test
    void theVapidPrivateKeyIsHiddenInMessagesLikeTheJwtSecret() {
        String privateKey = "privateVapidKeyNeverShown0123456789";
        ConfigValue vapid = new ConfigValue("push-vapid-private-key", privateKey, "environment variable HERALD_PUSH_VAPID_PRIVATE_KEY");
        ConfigValue jwt = new ConfigValue("jwt-secret", SECRET, "option '--jwt-secret'");
        ConfigValue subject = new ConfigValue("push-vapid-subject", "ops@example.com", "option '--push-vapid-subject'");

        assertThat(vapid.secret()).isTrue();
        assertThat(subject.secret()).isFalse();
        assertThat(vapid.invalid("is not a VAPID key").getMessage())
                .isEqualTo("Invalid value for environment variable HERALD_PUSH_VAPID_PRIVATE_KEY: (value hidden) is not a VAPID key");
        assertThat(jwt.invalid("is wrong").getMessage()).contains("(value hidden)").doesNotContain(SECRET);
        assertThat(subject.invalid("is wrong").getMessage()).contains("'ops@example.com'");
    }

    @Test
    void envNamesFollowTheOptionNames() {
        assertThat(ConfigSources.envName("data-dir")).isEqualTo("HERALD_DATA_DIR");
        assertThat(ConfigSources.envName("max-frame-bytes")).isEqualTo("HERALD_MAX_FRAME_BYTES");
        assertThat(ConfigSources.envName("socketio-relay")).isEqualTo("HERALD_SOCKETIO_RELAY");
        assertThat(ConfigSources.envName("socketio-notification-events")).isEqualTo("HERALD_SOCKETIO_NOTIFICATION_EVENTS");
    }

    private HeraldConfig resolve(Map<String, String> flags, Map<String, String> env) {
        Map<String, String> withCredentials = new HashMap<>(flags);
        withCredentials.putIfAbsent("jwt-secret", SECRET);
        withCredentials.putIfAbsent("api-key", API_KEY);
        return ConfigResolver.build(new ConfigResolver(ConfigSources.load(withCredentials, env)).builder());
    }

    private Path configFile(String content) throws Exception {
        return Files.writeString(dir.resolve("herald.properties"), content);
    }
}
