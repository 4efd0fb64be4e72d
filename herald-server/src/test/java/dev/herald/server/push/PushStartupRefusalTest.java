package dev.herald.server.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.config.PushOptions;
import dev.herald.server.push.webpush.VapidKeys;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node given unusable APNs, FCM or VAPID credentials does not start, and says which option
 * (and file) is at fault without quoting any of the key it could not use (operators paste these
 * messages into tickets).
 */
class PushStartupRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static String rsaPem;
    /** A line from the middle of the RSA key's PEM: what must never appear in a message. */
    private static String rsaFragment;

    @BeforeAll
    static void makeKey() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey key = rsa.generateKeyPair().getPrivate();
        rsaPem = TestCertificates.pkcs8Pem(key);
        rsaFragment = rsaPem.lines().skip(2).findFirst().orElseThrow();
    }

    private static TestServer start(Path apnsKeyFile, Path fcmServiceAccount) {
        return TestServer.start(b -> b.push(new PushOptions(true, PushOptions.DEFAULT_SUBJECT, null, null, false,
                apnsKeyFile, apnsKeyFile == null ? null : "KEY1234567", apnsKeyFile == null ? null : "TEAM123456",
                PushOptions.APNS, PushOptions.APNS_SANDBOX, fcmServiceAccount, PushOptions.FCM, null, null)));
    }

    /** Every message in the failure and its causes, which is what an operator's log shows. */
    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    @Test
    void anApnsKeyFileThatIsNotAnApnsKeyStopsTheNodeNamingTheOptionAndFileButNoKey() throws Exception {
        Path rsaKey = Files.writeString(dir.resolve("AuthKey_RSA.p8"), rsaPem, StandardCharsets.US_ASCII);
        Path garbage = Files.writeString(dir.resolve("AuthKey_GARBAGE.p8"),
                "-----BEGIN PRIVATE KEY-----\nsecretKeyMaterial0123\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> start(rsaKey, null).close())
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("push-apns-key-file: " + rsaKey + " is not an APNs signing key")
                .satisfies(e -> assertThat(messages(e)).doesNotContain(rsaFragment));
        assertThatThrownBy(() -> start(garbage, null).close())
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("push-apns-key-file: " + garbage)
                .satisfies(e -> assertThat(messages(e)).doesNotContain("secretKeyMaterial"));
    }

    @Test
    void aConfiguredVapidPrivateKeyThatIsNotOneStopsTheNodeWithoutEchoingIt() {
        String notAKey = "notAVapidPrivateKey_secret0123456789";
        String publicKey = VapidKeys.generate(new SecureRandom()).publicKeyBase64Url();

        assertThatThrownBy(() -> TestServer.start(b -> b.push(new PushOptions(true, PushOptions.DEFAULT_SUBJECT, publicKey,
                notAKey, false, null, null, null, PushOptions.APNS, PushOptions.APNS_SANDBOX, null, PushOptions.FCM, null, null)))
                .close())
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("push-vapid-public-key/push-vapid-private-key: VAPID private key: ")
                .satisfies(e -> assertThat(messages(e)).doesNotContain(notAKey));
    }

    @Test
    void aMalformedFcmServiceAccountStopsTheNodeNamingTheOptionAndFileButNoKey() throws Exception {
        ObjectNode account = JSON.createObjectNode()
                .put("type", "service_account").put("project_id", "herald-test").put("private_key_id", "abc")
                .put("private_key", "-----BEGIN PRIVATE KEY-----\n" + rsaFragment + "\n-----END PRIVATE KEY-----\n")
                .put("client_email", "herald@herald-test.iam.gserviceaccount.com")
                .put("token_uri", "https://oauth2.googleapis.com/token");
        Path brokenKey = Files.writeString(dir.resolve("broken-key.json"), account.toString());
        Path notJson = Files.writeString(dir.resolve("not-json.json"), "{\"private_key\": \"" + rsaFragment + "\" oops");

        assertThatThrownBy(() -> start(null, brokenKey).close())
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("push-fcm-service-account: " + brokenKey)
                .hasMessageContaining("field private_key")
                .satisfies(e -> assertThat(messages(e)).doesNotContain(rsaFragment));
        assertThatThrownBy(() -> start(null, notJson).close())
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("push-fcm-service-account: " + notJson)
                .satisfies(e -> assertThat(messages(e)).doesNotContain(rsaFragment));
    }
}
