package dev.herald.server.push.webpush;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How Herald sends Web Push, validated on construction.
 *
 * @param subject            the VAPID {@code sub}: how a push service reaches the operator, a
 *                           {@code mailto:} address or an {@code https:} URL
 * @param vapidKeys          the key pair pushes are signed with, whose public key browsers subscribe with
 * @param allowHttpEndpoints accept {@code http:} endpoints besides {@code https:}; only for push
 *                           services under test on loopback, never in production (the endpoint
 *                           and the VAPID token would cross the network in the clear)
 * @param timeout            how long one push may take, connecting included
 * @param sslContext         the TLS context for push services behind a private CA, or null for
 *                           the JDK's default trust
 */
public record WebPushSettings(String subject, VapidKeys vapidKeys, boolean allowHttpEndpoints, Duration timeout,
                              SSLContext sslContext) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    /** @throws IllegalArgumentException naming the argument that is wrong */
    public WebPushSettings {
        Objects.requireNonNull(vapidKeys, "vapidKeys");
        Objects.requireNonNull(timeout, "timeout");
        checkSubject(subject);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout: must be over zero and at most " + MAX_TIMEOUT.toMinutes()
                    + " minutes, was " + timeout);
        }
    }

    /** https endpoints only, the default timeout, the JDK's default trust. */
    public WebPushSettings(String subject, VapidKeys vapidKeys) {
        this(subject, vapidKeys, false, DEFAULT_TIMEOUT, null);
    }

    private static void checkSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject: required, a mailto: or https: URI (how push services reach you)");
        }
        URI uri;
        try {
            uri = new URI(subject);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("subject: not a URI: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean mailto = scheme.equals("mailto") && uri.getSchemeSpecificPart() != null
                && uri.getSchemeSpecificPart().indexOf('@') > 0;
        boolean https = scheme.equals("https") && uri.getHost() != null;
        if (!mailto && !https) {
            throw new IllegalArgumentException("subject: must be a mailto: address (mailto:ops@example.com) or an https: URL, was "
                    + subject);
        }
    }
}
