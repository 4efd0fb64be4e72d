package dev.herald.server.push;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void everyCertificateOfAPemFileIsRead() throws Exception {
        TestCertificates a = TestCertificates.selfSigned();
        TestCertificates b = TestCertificates.selfSigned();
        Path pem = Files.writeString(dir.resolve("ca.pem"), a.certificatePem() + b.certificatePem());

        assertThat(TrustedCertificates.read(pem, "apnsTrustedCertificates")).containsExactly(a.certificate(), b.certificate());
        assertThat(TrustedCertificates.sslContext(List.of(a.certificate())).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void aFileWithoutCertificatesIsRefusedNamingTheOptionAndFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertThatThrownBy(() -> TrustedCertificates.read(empty, "fcmTrustedCertificates"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("fcmTrustedCertificates:").hasMessageContaining("empty.pem");
        assertThatThrownBy(() -> TrustedCertificates.read(dir.resolve("missing.pem"), "fcmTrustedCertificates"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }
}
