package dev.herald.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Issues HS256 user tokens that {@link JwtVerifier} accepts when configured with the same
 * secret: claims {@code sub}, optional {@code name} and {@code topics}, {@code iat} and
 * {@code exp} (whole seconds). Used by {@code herald token} and the development token endpoint;
 * production apps issue their own tokens.
 *
 * <p>Immutable and thread-safe.
 */
public final class TokenIssuer {
    private final MACSigner signer;
    private final Clock clock;

    /** @param secret the HS256 secret, at least 32 bytes in UTF-8 */
    public TokenIssuer(String secret) {
        this(secret, Clock.systemUTC());
    }

    TokenIssuer(String secret, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("secret: must be at least 32 bytes for HS256, was " + bytes.length);
        }
        try {
            signer = new MACSigner(bytes);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("secret: " + e.getMessage(), e);
        }
    }

    /**
     * @param userId the {@code sub}; not blank
     * @param name   display name, or null to omit the claim
     * @param topics topics to grant, e.g. {@code branch:42}; empty to omit the claim
     * @param ttl    lifetime from now; positive
     * @return the compact serialized token
     */
    public String issue(String userId, String name, Collection<String> topics, Duration ttl) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId: must not be blank");
        }
        Objects.requireNonNull(topics, "topics");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: must be positive, was " + ttl);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(userId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (name != null) {
            claims.claim("name", name);
        }
        if (!topics.isEmpty()) {
            claims.claim("topics", List.copyOf(topics));
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            // HMAC-SHA256 is always available in the JDK; reaching here means a broken runtime.
            throw new IllegalStateException("cannot sign token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
