package dev.herald.server.push.webpush;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The VAPID {@code Authorization} header of a push (RFC 8292):
 * {@code vapid t=<JWT>, k=<public key>}, the JWT signed ES256 with claims {@code aud} (the push
 * service's origin), {@code exp} (now + 12 h) and {@code sub} (the operator's contact).
 *
 * <p>One token serves every push to the same push service, so tokens are cached per audience and
 * signed again an hour before they expire; the cache holds at most {@value #MAX_AUDIENCES}
 * audiences, dropping the least recently used. Thread-safe: the cache is guarded by its own lock,
 * and signing happens outside it (two threads may sign for one audience at once; either token is
 * valid).
 */
final class VapidSigner {
    static final Duration LIFETIME = Duration.ofHours(12);
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofHours(1);
    static final int MAX_AUDIENCES = 1000;

    private record Token(String header, Instant expires) {
    }

    private final VapidKeys keys;
    private final String subject;
    private final Clock clock;
    private final ECDSASigner signer;
    /** Least recently used first; guarded by itself. */
    private final Map<String, Token> tokens = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Token> eldest) {
            return size() > MAX_AUDIENCES;
        }
    };

    /** @param subject a {@code mailto:} or {@code https:} URI, already validated ({@link WebPushSettings}) */
    VapidSigner(VapidKeys keys, String subject, Clock clock) {
        this.keys = keys;
        this.subject = subject;
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(keys.privateKey());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("keys: not a P-256 private key", e);
        }
    }

    /** The {@code Authorization} header value for a push to {@code endpoint}. */
    String authorization(URI endpoint) {
        String audience = origin(endpoint);
        Instant now = clock.instant();
        Token token;
        synchronized (tokens) {
            token = tokens.get(audience);
        }
        if (token == null || !now.isBefore(token.expires().minus(RENEW_BEFORE_EXPIRY))) {
            token = sign(audience, now);
            synchronized (tokens) {
                tokens.put(audience, token);
            }
        }
        return token.header();
    }

    /** How many audiences have a cached token. */
    int cachedAudiences() {
        synchronized (tokens) {
            return tokens.size();
        }
    }

    /** The ASCII serialization of the endpoint's origin (RFC 6454): scheme://host[:port], no default port. */
    static String origin(URI endpoint) {
        String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
        int port = endpoint.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + endpoint.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private Token sign(String audience, Instant now) {
        // JWT times are whole seconds; rounding down keeps exp within 24 h of now (RFC 8292 section 2).
        Instant expires = now.plus(LIFETIME).truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .audience(audience)
                .expirationTime(Date.from(expires))
                .subject(subject)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a VAPID token: " + e.getMessage(), e);
        }
        return new Token("vapid t=" + jwt.serialize() + ", k=" + keys.publicKeyBase64Url(), expires);
    }
}
