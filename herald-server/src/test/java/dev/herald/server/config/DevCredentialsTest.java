package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void credentialsAreGeneratedOnceAndReusedAfterwards() throws Exception {
        DevCredentials first = DevCredentials.loadOrCreate(dir, true, true, seeded(1));
        DevCredentials second = DevCredentials.loadOrCreate(dir, true, true, seeded(2));

        assertThat(first.generated()).isTrue();
        assertThat(first.jwtSecret().getBytes(StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(32);
        assertThat(first.apiKey()).startsWith("hk_").hasSizeGreaterThanOrEqualTo(16);
        assertThat(second.generated()).isFalse();
        assertThat(second.jwtSecret()).isEqualTo(first.jwtSecret());
        assertThat(second.apiKey()).isEqualTo(first.apiKey());
        assertThat(DevCredentials.storedSecret(dir)).contains(first.jwtSecret());
    }

    @Test
    void theFileIsReadableOnlyByItsOwner() throws Exception {
        DevCredentials credentials = DevCredentials.loadOrCreate(dir, true, true, seeded(3));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.file()))).isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries).as("no temp file left behind").containsExactly(credentials.file());
        }
    }

    @Test
    void onlyTheMissingCredentialIsGeneratedAndStoredOnesAreKept() throws Exception {
        DevCredentials keyOnly = DevCredentials.loadOrCreate(dir, false, true, seeded(4));
        assertThat(keyOnly.jwtSecret()).isNull();
        assertThat(keyOnly.generatedApiKey()).isTrue();

        DevCredentials both = DevCredentials.loadOrCreate(dir, true, true, seeded(5));

        assertThat(both.apiKey()).isEqualTo(keyOnly.apiKey());
        assertThat(both.generatedApiKey()).isFalse();
        assertThat(both.generatedSecret()).isTrue();
    }

    @Test
    void aWeakStoredSecretIsRefusedWithHowToFixIt() throws Exception {
        Files.writeString(dir.resolve(DevCredentials.FILE_NAME), "jwt-secret=short\n");

        assertThatThrownBy(() -> DevCredentials.loadOrCreate(dir, true, false, seeded(6)))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageContaining("shorter than 32 bytes; delete the line to regenerate it");
    }

    @Test
    void noFileMeansNoStoredSecret() {
        assertThat(DevCredentials.storedSecret(dir)).isEmpty();
    }

    private static SecureRandom seeded(long seed) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed);
        return random;
    }
}
