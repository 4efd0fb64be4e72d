package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.config.HeraldStartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VapidKeysTest {
    /** A pair printed by {@code web-push generate-vapid-keys} (RFC 8291's example keys, in that format). */
    private static final String PUBLIC = WebPushEncryptorTest.UA_PUBLIC;
    private static final String PRIVATE = WebPushEncryptorTest.UA_PRIVATE;

    @TempDir
    Path dir;

    @Test
    void aPairIsGeneratedOnFirstStartAndTheSamePairLoadedAfterwards() throws Exception {
        VapidKeys first = VapidKeys.loadOrCreate(dir, WebPushEncryptorTest.seeded(1));
        VapidKeys second = VapidKeys.loadOrCreate(dir, WebPushEncryptorTest.seeded(2));

        assertThat(second).isEqualTo(first);
        assertThat(second.publicKeyBase64Url()).isEqualTo(first.publicKeyBase64Url());
        assertThat(Base64Url.decode(first.publicKeyBase64Url())).hasSize(65).startsWith((byte) 4);
        Properties stored = new Properties();
        try (var reader = Files.newBufferedReader(dir.resolve(VapidKeys.FILE_NAME))) {
            stored.load(reader);
        }
        assertThat(stored.getProperty("public-key")).isEqualTo(first.publicKeyBase64Url());
        assertThat(VapidKeys.of(stored.getProperty("public-key"), stored.getProperty("private-key"))).isEqualTo(first);
    }

    @Test
    void theFileIsReadableOnlyByItsOwner() throws Exception {
        VapidKeys.loadOrCreate(dir, new SecureRandom());

        Path file = dir.resolve(VapidKeys.FILE_NAME);
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries).as("no temp file left behind").containsExactly(file);
        }
    }

    @Test
    void aConfiguredPairInWebPushLibraryFormatIsAccepted() {
        VapidKeys keys = VapidKeys.of(PUBLIC, PRIVATE);

        assertThat(keys.publicKeyBase64Url()).isEqualTo(PUBLIC);
        assertThat(keys.toString()).contains(PUBLIC).doesNotContain(PRIVATE);
    }

    @Test
    void aMismatchedPairIsRefused() {
        assertThatThrownBy(() -> VapidKeys.of(WebPushEncryptorTest.AS_PUBLIC, PRIVATE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VAPID keys: the public key is not the private key's");
    }

    @Test
    void malformedKeysAreRefusedNamingTheKeyButNeverShowingThePrivateOne() {
        String garbage = "not*base64url*" + PRIVATE;
        assertThatThrownBy(() -> VapidKeys.of(PUBLIC, garbage))
                .hasMessage("VAPID private key: is not base64url").message().doesNotContain(PRIVATE);
        assertThatThrownBy(() -> VapidKeys.of(PUBLIC, PRIVATE + "AAAA"))
                .hasMessage("VAPID private key: must be 32 bytes, was 35");
        assertThatThrownBy(() -> VapidKeys.of(PUBLIC.substring(0, 80), PRIVATE))
                .hasMessage("VAPID public key: must be 65 bytes, was 60");
        assertThatThrownBy(() -> VapidKeys.of(PUBLIC, Base64Url.encode(new byte[32])))
                .hasMessage("VAPID private key: is not a P-256 private key (out of range)");
    }

    @Test
    void aCorruptFileIsAStartupErrorNamingTheFileNotThePrivateKey() throws Exception {
        Path file = dir.resolve(VapidKeys.FILE_NAME);
        Files.writeString(file, "public-key=" + WebPushEncryptorTest.AS_PUBLIC + "\nprivate-key=" + PRIVATE + "\n");

        assertThatThrownBy(() -> VapidKeys.loadOrCreate(dir, new SecureRandom()))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("the public key is not the private key's")
                .hasMessageContaining("delete it to generate a new pair")
                .message().doesNotContain(PRIVATE);

        Files.writeString(file, "public-key=" + PUBLIC + "\n");
        assertThatThrownBy(() -> VapidKeys.loadOrCreate(dir, new SecureRandom()))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageContaining(file + " are not usable (it lacks private-key)");
        assertThat(Files.readString(file)).as("a corrupt file is never overwritten").isEqualTo("public-key=" + PUBLIC + "\n");
    }
}
