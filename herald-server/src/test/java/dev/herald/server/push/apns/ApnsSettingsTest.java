package dev.herald.server.push.apns;

import dev.herald.server.push.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApnsSettingsTest {
    @TempDir
    Path dir;

    private Path keyFile() throws Exception {
        return TestCertificates.writePkcs8(dir.resolve("AuthKey_KEY1234567.p8"), TestCertificates.ecKeyPair().getPrivate());
    }

    @Test
    void applesServersAndATenSecondTimeoutAreTheDefaults() throws Exception {
        ApnsSettings s = ApnsSettings.of(keyFile(), "KEY1234567", "TEAM123456");

        assertThat(s.production()).isEqualTo(new ApnsSettings.ApnsServer("api.push.apple.com", 443));
        assertThat(s.development()).isEqualTo(new ApnsSettings.ApnsServer("api.sandbox.push.apple.com", 443));
        assertThat(s.sendTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.trustedCertificates()).isEmpty();
        assertThat(s.loadSigningKey().getKeyId()).isEqualTo("KEY1234567");
        assertThat(s.loadSigningKey().getTeamId()).isEqualTo("TEAM123456");
    }

    @Test
    void aServerIsHostPortOrAnHttpsUri() {
        assertThat(ApnsSettings.ApnsServer.parse("s", "api.push.apple.com")).isEqualTo(new ApnsSettings.ApnsServer("api.push.apple.com", 443));
        assertThat(ApnsSettings.ApnsServer.parse("s", "api.push.apple.com:2197")).isEqualTo(new ApnsSettings.ApnsServer("api.push.apple.com", 2197));
        assertThat(ApnsSettings.ApnsServer.parse("s", "https://127.0.0.1:8443/")).isEqualTo(new ApnsSettings.ApnsServer("127.0.0.1", 8443));
        assertThat(ApnsSettings.ApnsServer.parse("s", "[::1]:8443")).isEqualTo(new ApnsSettings.ApnsServer("::1", 8443));
    }

    @Test
    void aWrongValueIsRefusedNamingItsComponent() throws Exception {
        Path key = keyFile();
        assertThatThrownBy(() -> new ApnsSettings(key, "KEY1234567", "TEAM123456", "http://apns.example", null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("productionServer:");
        assertThatThrownBy(() -> new ApnsSettings(key, "KEY1234567", "TEAM123456", null, "https://apns.example/3/device", null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("developmentServer:");
        assertThatThrownBy(() -> ApnsSettings.of(key, " ", "TEAM123456"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("keyId:");
        assertThatThrownBy(() -> ApnsSettings.of(key, "KEY1234567", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("teamId:");
        assertThatThrownBy(() -> ApnsSettings.of(dir.resolve("missing.p8"), "KEY1234567", "TEAM123456"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("signingKeyFile:").hasMessageContaining("missing.p8");
        assertThatThrownBy(() -> new ApnsSettings(key, "KEY1234567", "TEAM123456", null, null, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sendTimeout:");
    }

    @Test
    void aFileThatIsNotAnApnsKeyStopsTheSenderNamingTheFileNeverItsContent() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = TestCertificates.pkcs8Pem(rsa.generateKeyPair().getPrivate());
        Path rsaKey = Files.writeString(dir.resolve("rsa.p8"), rsaPem, StandardCharsets.US_ASCII);
        Path garbage = Files.writeString(dir.resolve("garbage.p8"), "-----BEGIN PRIVATE KEY-----\nsecret!!material\n-----END PRIVATE KEY-----\n");
        String rsaBody = rsaPem.lines().skip(1).findFirst().orElseThrow();

        assertThatThrownBy(() -> new ApnsSender(ApnsSettings.of(rsaKey, "KEY1234567", "TEAM123456")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signingKeyFile: " + rsaKey).hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(rsaBody));
        assertThatThrownBy(() -> new ApnsSender(ApnsSettings.of(garbage, "KEY1234567", "TEAM123456")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signingKeyFile: " + garbage).hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("material"));
    }
}
