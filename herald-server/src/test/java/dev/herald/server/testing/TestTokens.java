package dev.herald.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints HS256 tokens for tests, independently of Herald's own issuer. */
public final class TestTokens {
    private final String secret;

    public TestTokens(String secret) {
        this.secret = secret;
    }

    public String forUser(String userId) {
        return token(userId, List.of(), Duration.ofHours(1));
    }

    public String token(String userId, List<String> topics, Duration ttl) {
        return sign(secret, userId, topics, Instant.now().plus(ttl));
    }

    public static String sign(String secret, String userId, List<String> topics, Instant expiresAt) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(userId)
                .claim("name", "User " + userId)
                .issueTime(new Date())
                .expirationTime(Date.from(expiresAt));
        if (!topics.isEmpty()) {
            claims.claim("topics", topics);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
