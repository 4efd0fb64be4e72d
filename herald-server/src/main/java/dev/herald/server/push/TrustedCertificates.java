package dev.herald.server.push;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates a sender trusts instead of the JDK's defaults: for a private deployment of a push
 * provider (or a proxy in front of it) and for the loopback peers of the tests. Stateless and
 * thread-safe.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {
    }

    /**
     * Every X.509 certificate in a PEM file.
     *
     * @throws IllegalArgumentException naming the file and the option when it cannot be read or holds none
     */
    public static List<X509Certificate> read(Path pemFile, String option) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(option + ": no certificate in " + pemFile);
            }
            return List.copyOf(out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(option + ": cannot read certificates from " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /** A TLS context that trusts exactly these certificates (as trust anchors), nothing else. */
    public static SSLContext sslContext(List<X509Certificate> trusted) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("trusted: no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("trusted-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting " + trusted.size() + " certificate(s)", e);
        }
    }
}
