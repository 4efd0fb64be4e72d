package dev.herald.server.push.fcm;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How Herald reaches FCM (the HTTP v1 API). Validated when built: every message names the component
 * that is wrong. The service account file is read by {@link FcmSender}'s constructor, so a wrong
 * file stops the start.
 *
 * @param serviceAccountFile  the service account key (JSON) of the Firebase project
 * @param baseUrl             FCM's base URL; null for {@value #BASE_URL}
 * @param tokenUrl            where access tokens are requested; null for the file's {@code token_uri}
 * @param trustedCertificates the certificates that may sign the servers' certificates instead of the
 *                            JDK's defaults (a proxy, a private deployment, a test); null or empty for
 *                            the defaults. {@link dev.herald.server.push.TrustedCertificates#read}
 *                            reads them from a PEM file
 * @param timeout             how long one send may take, an access token request included; null for 10 s
 */
public record FcmSettings(Path serviceAccountFile, URI baseUrl, URI tokenUrl, List<X509Certificate> trustedCertificates,
                          Duration timeout) {
    public static final String BASE_URL = "https://fcm.googleapis.com";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public FcmSettings {
        Objects.requireNonNull(serviceAccountFile, "serviceAccountFile");
        if (!Files.isRegularFile(serviceAccountFile) || !Files.isReadable(serviceAccountFile)) {
            throw new IllegalArgumentException("serviceAccountFile: not a readable file: " + serviceAccountFile);
        }
        baseUrl = baseUrl == null ? URI.create(BASE_URL) : baseUrl;
        requireHttpUrl("baseUrl", baseUrl);
        if (tokenUrl != null) {
            requireHttpUrl("tokenUrl", tokenUrl);
        }
        trustedCertificates = trustedCertificates == null ? List.of() : List.copyOf(trustedCertificates);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
        }
    }

    /** Settings for Google's servers, the JDK's trusted certificates and the default timeout. */
    public static FcmSettings of(Path serviceAccountFile) {
        return new FcmSettings(serviceAccountFile, null, null, null, null);
    }

    private static void requireHttpUrl(String name, URI url) {
        if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null
                || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(name + ": not an http(s) URL without query: " + url);
        }
    }
}
