package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.push.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FcmServiceAccountTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static KeyPair key;

    @BeforeAll
    static void makeKey() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        key = rsa.generateKeyPair();
    }

    private static Path file(String name, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode json = JSON.createObjectNode()
                .put("type", "service_account").put("project_id", "herald-test").put("private_key_id", "abc")
                .put("private_key", TestCertificates.pkcs8Pem(key.getPrivate()))
                .put("client_email", "herald@herald-test.iam.gserviceaccount.com")
                .put("token_uri", "https://oauth2.googleapis.com/token");
        edit.accept(json);
        return Files.writeString(dir.resolve(name), json.toString());
    }

    @Test
    void aGoogleServiceAccountFileIsRead() throws Exception {
        FcmServiceAccount account = FcmServiceAccount.read(file("ok.json", j -> { }));

        assertThat(account.projectId()).isEqualTo("herald-test");
        assertThat(account.clientEmail()).isEqualTo("herald@herald-test.iam.gserviceaccount.com");
        assertThat(account.privateKeyId()).isEqualTo("abc");
        assertThat(account.tokenUri()).isEqualTo(URI.create("https://oauth2.googleapis.com/token"));
        assertThat(account.privateKey().getModulus().bitLength()).isEqualTo(2048);
        assertThat(account.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void aWrongFileIsRefusedNamingTheFileAndFieldNeverTheKey() throws Exception {
        String pemBody = TestCertificates.pkcs8Pem(key.getPrivate()).lines().skip(1).findFirst().orElseThrow();
        Path wrongType = file("type.json", j -> j.put("type", "authorized_user"));
        Path noProject = file("project.json", j -> j.remove("project_id"));
        Path noEmail = file("email.json", j -> j.put("client_email", ""));
        Path ecKey = file("ec.json", j -> {
            try {
                j.put("private_key", TestCertificates.pkcs8Pem(TestCertificates.ecKeyPair().getPrivate()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path brokenKey = file("broken.json", j -> j.put("private_key", "-----BEGIN PRIVATE KEY-----\n" + pemBody + "\n-----END PRIVATE KEY-----\n"));
        Path notJson = Files.writeString(dir.resolve("notjson.json"), "{\"private_key\": \"" + pemBody + "\" oops");

        assertThatThrownBy(() -> FcmServiceAccount.read(wrongType)).hasMessageContaining("type.json").hasMessageContaining("field type");
        assertThatThrownBy(() -> FcmServiceAccount.read(noProject)).hasMessageContaining("project.json").hasMessageContaining("field project_id");
        assertThatThrownBy(() -> FcmServiceAccount.read(noEmail)).hasMessageContaining("field client_email");
        assertThatThrownBy(() -> FcmServiceAccount.read(ecKey)).hasMessageContaining("ec.json").hasMessageContaining("field private_key")
                .hasNoCause();
        assertThatThrownBy(() -> FcmServiceAccount.read(brokenKey)).hasMessageContaining("field private_key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(pemBody)).hasNoCause();
        assertThatThrownBy(() -> FcmServiceAccount.read(notJson)).hasMessageContaining("notjson.json")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(pemBody)).hasNoCause();
    }

    @Test
    void settingsDefaultToGoogleAndRefuseWrongValuesByName() throws Exception {
        Path ok = file("settings.json", j -> { });
        FcmSettings s = FcmSettings.of(ok);
        assertThat(s.baseUrl()).isEqualTo(URI.create("https://fcm.googleapis.com"));
        assertThat(s.tokenUrl()).isNull();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));

        assertThatThrownBy(() -> FcmSettings.of(dir.resolve("missing.json"))).hasMessageStartingWith("serviceAccountFile:");
        assertThatThrownBy(() -> new FcmSettings(ok, URI.create("ftp://fcm.example"), null, null, null)).hasMessageStartingWith("baseUrl:");
        assertThatThrownBy(() -> new FcmSettings(ok, null, URI.create("https://t.example/token?x=1"), null, null)).hasMessageStartingWith("tokenUrl:");
        assertThatThrownBy(() -> new FcmSettings(ok, null, null, null, Duration.ofSeconds(-1))).hasMessageStartingWith("timeout:");
    }
}
