package dev.herald.server.push.apns;

import com.eatthepath.pushy.apns.auth.ApnsSigningKey;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How Herald reaches APNs with token (JWT) authentication. Validated when built: every message
 * names the component that is wrong. The key file is read by {@link #loadSigningKey()}, which
 * {@link ApnsSender}'s constructor calls, so a wrong file stops the start.
 *
 * @param signingKeyFile      the {@code AuthKey_XXXXXXXXXX.p8} file Apple issues (PKCS#8, EC P-256)
 * @param keyId               the key's id shown beside it in the developer account (10 characters)
 * @param teamId              the developer team's id (10 characters)
 * @param productionServer    {@code host[:port]} or {@code https://host[:port]} of the production
 *                            environment; null for {@value #PRODUCTION_SERVER}
 * @param developmentServer   the same for the development (sandbox) environment that apps built
 *                            for debugging register with; null for {@value #DEVELOPMENT_SERVER}
 * @param trustedCertificates the certificates that may sign the server's certificate instead of
 *                            the JDK's defaults (a private deployment, a test); null or empty for
 *                            the defaults. {@link dev.herald.server.push.TrustedCertificates#read}
 *                            reads them from a PEM file
 * @param sendTimeout         how long one send may take, connecting included; null for 10 s
 */
public record ApnsSettings(Path signingKeyFile, String keyId, String teamId, String productionServer,
                           String developmentServer, List<X509Certificate> trustedCertificates,
                           Duration sendTimeout) {
    public static final String PRODUCTION_SERVER = "api.push.apple.com:443";
    public static final String DEVELOPMENT_SERVER = "api.sandbox.push.apple.com:443";
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,64}");

    public ApnsSettings {
        Objects.requireNonNull(signingKeyFile, "signingKeyFile");
        if (!Files.isRegularFile(signingKeyFile) || !Files.isReadable(signingKeyFile)) {
            throw new IllegalArgumentException("signingKeyFile: not a readable file: " + signingKeyFile);
        }
        requireId("keyId", keyId);
        requireId("teamId", teamId);
        productionServer = productionServer == null || productionServer.isBlank() ? PRODUCTION_SERVER : productionServer.trim();
        developmentServer = developmentServer == null || developmentServer.isBlank() ? DEVELOPMENT_SERVER : developmentServer.trim();
        ApnsServer.parse("productionServer", productionServer);
        ApnsServer.parse("developmentServer", developmentServer);
        trustedCertificates = trustedCertificates == null ? List.of() : List.copyOf(trustedCertificates);
        sendTimeout = sendTimeout == null ? DEFAULT_SEND_TIMEOUT : sendTimeout;
        if (sendTimeout.isNegative() || sendTimeout.isZero()) {
            throw new IllegalArgumentException("sendTimeout: must be positive, was " + sendTimeout);
        }
    }

    /** Settings for Apple's servers, the JDK's trusted certificates and the default timeout. */
    public static ApnsSettings of(Path signingKeyFile, String keyId, String teamId) {
        return new ApnsSettings(signingKeyFile, keyId, teamId, null, null, null, null);
    }

    /**
     * Reads the signing key. The message of a failure names the file and never holds any of its
     * content (the cause is left out for that reason: a parser's message may quote the input).
     *
     * @throws IllegalArgumentException when the file is not a PKCS#8 EC private key
     */
    public ApnsSigningKey loadSigningKey() {
        try {
            return ApnsSigningKey.loadFromPkcs8File(signingKeyFile.toFile(), teamId, keyId);
        } catch (Exception | LinkageError e) {
            throw new IllegalArgumentException("signingKeyFile: " + signingKeyFile
                    + " is not an APNs signing key (a PKCS#8 EC P-256 private key, the .p8 file Apple issues): "
                    + e.getClass().getSimpleName());
        }
    }

    ApnsServer production() {
        return ApnsServer.parse("productionServer", productionServer);
    }

    ApnsServer development() {
        return ApnsServer.parse("developmentServer", developmentServer);
    }

    private static void requireId(String name, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException(name + ": must be the id Apple shows (letters and digits), was "
                    + (value == null ? "missing" : "'" + value + "'"));
        }
    }

    /** One APNs environment's address. */
    record ApnsServer(String host, int port) {
        static ApnsServer parse(String name, String value) {
            URI uri;
            try {
                uri = new URI(value.contains("://") ? value : "https://" + value);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(name + ": not host[:port] or an https URI: '" + value + "'");
            }
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || !bare) {
                throw new IllegalArgumentException(name + ": not host[:port] or an https URI: '" + value + "'");
            }
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
            return new ApnsServer(host, uri.getPort() < 0 ? 443 : uri.getPort());
        }
    }
}
