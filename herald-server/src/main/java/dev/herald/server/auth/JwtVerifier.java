package dev.herald.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.config.HeraldConfig;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies end-user JWTs signed with HS256 (shared secret), RS256 or ES256 (a PEM public key
 * and/or a JWKS URL). Several key sources may be configured at once; the token's {@code alg}
 * picks which apply. {@code alg: none}, encrypted tokens and algorithms with no configured key
 * are refused.
 *
 * <p>Claims: {@code sub} (required) becomes the user id, {@code name} the display name,
 * {@code topics} (array of strings) the granted topics. {@code exp} and {@code nbf} are
 * enforced with a clock skew of {@link #CLOCK_SKEW}; a token without {@code exp} is accepted
 * and its principal has no expiry.
 *
 * <p>Size: a token longer than {@link #MAX_TOKEN_LENGTH} characters is refused before it is
 * parsed, and claims over {@link Principal}'s limits ({@code sub} 128 characters, {@code name}
 * 200, {@code topics} 256 of 255 characters each) are refused as invalid, so an oversized token
 * is a 401 at every entry point rather than a store error later.
 *
 * <p>Thread-safe. JWKS keys are fetched on first use, cached for five minutes, refetched when a
 * token names an unknown {@code kid} (at most twice per 30 s, nimbus' rate limit), with connect
 * and read timeouts of {@link #JWKS_TIMEOUT}; so {@link #verify} may block that long and must
 * run off the event loop.
 */
public final class JwtVerifier implements TokenVerifier {
    /** Tolerated difference between our clock and the issuer's. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /**
     * Longest token accepted, in characters (8 KiB). Far above any real token (a few hundred
     * bytes; a few KiB with many topics), and small enough that parsing, signature checks and
     * logging a refusal cost little.
     */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;
    /** Bound on each JWKS connect and read. */
    public static final Duration JWKS_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(JwtVerifier.class);
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;
    private static final long JWKS_CACHE_TTL_MS = Duration.ofMinutes(5).toMillis();

    private final MACVerifier hmac;
    private final JWSVerifier pemVerifier;
    private final JWSAlgorithm pemAlgorithm;
    private final JWSVerificationKeySelector<SecurityContext> jwks;
    private final URI jwksUrl;
    private final Clock clock;
    private final DefaultJWSVerifierFactory verifierFactory = new DefaultJWSVerifierFactory();

    /**
     * @throws HeraldStartupException when the PEM file cannot be read or holds no usable key, or
     *                                the JWKS URL is not an http(s) URL
     */
    public JwtVerifier(HeraldConfig config) {
        this(config.jwtSecret(), config.jwtPublicKeyPem(), config.jwksUrl(), Clock.systemUTC());
    }

    JwtVerifier(String secret, Path publicKeyPem, URI jwksUrl, Clock clock) {
        this.clock = clock;
        this.jwksUrl = jwksUrl;
        if (secret == null && publicKeyPem == null && jwksUrl == null) {
            throw new IllegalArgumentException("secret: one of secret, publicKeyPem or jwksUrl is required");
        }
        try {
            hmac = secret == null ? null : new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("secret: " + e.getMessage(), e);
        }
        if (publicKeyPem != null) {
            PublicKey key = readPem(publicKeyPem);
            try {
                if (key instanceof RSAPublicKey rsa) {
                    pemAlgorithm = JWSAlgorithm.RS256;
                    pemVerifier = new RSASSAVerifier(rsa);
                } else {
                    pemAlgorithm = JWSAlgorithm.ES256;
                    pemVerifier = new ECDSAVerifier((ECPublicKey) key);
                    if (!pemVerifier.supportedJWSAlgorithms().contains(JWSAlgorithm.ES256)) {
                        throw new HeraldStartupException("JWT public key " + publicKeyPem
                                + ": EC key is not on curve P-256, which ES256 requires");
                    }
                }
            } catch (JOSEException e) {
                throw new HeraldStartupException("JWT public key " + publicKeyPem + ": " + e.getMessage(), e);
            }
        } else {
            pemAlgorithm = null;
            pemVerifier = null;
        }
        jwks = jwksUrl == null ? null : new JWSVerificationKeySelector<>(
                Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), jwkSource(jwksUrl));
    }

    @Override
    public Principal verify(String token) throws AuthException {
        if (token == null || token.isBlank()) {
            throw new AuthException(AuthException.Reason.MISSING, "no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("token too long: at most " + MAX_TOKEN_LENGTH + " characters");
        }
        SignedJWT jwt = parse(token.strip());
        JWSHeader header = jwt.getHeader();
        List<JWSVerifier> verifiers = verifiersFor(header);
        if (!anyAccepts(verifiers, jwt)) {
            throw invalid("bad signature");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw invalid("malformed token: claims are not a JSON object");
        }
        return principalOf(claims);
    }

    private SignedJWT parse(String token) throws AuthException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // nimbus throws NullPointerException, not ParseException, for a header that is JSON null.
            throw invalid("malformed token");
        }
        if (jwt instanceof PlainJWT) {
            throw invalid("unsupported alg: none (unsigned tokens are refused)");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            throw invalid("unsupported token type: encrypted tokens are not accepted");
        }
        return signed;
    }

    private List<JWSVerifier> verifiersFor(JWSHeader header) throws AuthException {
        JWSAlgorithm alg = header.getAlgorithm();
        List<JWSVerifier> verifiers = new ArrayList<>(2);
        if (JWSAlgorithm.HS256.equals(alg) && hmac != null) {
            verifiers.add(hmac);
        } else if (JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.ES256.equals(alg)) {
            if (alg.equals(pemAlgorithm)) {
                verifiers.add(pemVerifier);
            }
            if (jwks != null) {
                verifiers.addAll(jwksVerifiers(header));
                if (verifiers.isEmpty()) {
                    throw invalid("unknown signing key" + (header.getKeyID() == null ? "" : " (kid " + header.getKeyID() + ")"));
                }
            }
        }
        if (verifiers.isEmpty()) {
            throw invalid("unsupported alg: " + alg + " (not configured on this server)");
        }
        return verifiers;
    }

    private List<JWSVerifier> jwksVerifiers(JWSHeader header) throws AuthException {
        List<Key> keys;
        try {
            keys = jwks.selectJWSKeys(header, null);
        } catch (KeySourceException e) {
            log.warn("cannot fetch JWT signing keys from {}: {}", jwksUrl, e.getMessage());
            throw invalid("signing keys unavailable (cannot fetch the JWKS)");
        }
        List<JWSVerifier> verifiers = new ArrayList<>(keys.size());
        for (Key key : keys) {
            try {
                verifiers.add(verifierFactory.createJWSVerifier(header, key));
            } catch (JOSEException e) {
                // A JWKS key unusable for this alg (say an EC key on another curve) cannot verify it.
                log.debug("skipping JWKS key for {}: {}", header.getAlgorithm(), e.getMessage());
            }
        }
        return verifiers;
    }

    private static boolean anyAccepts(List<JWSVerifier> verifiers, SignedJWT jwt) {
        for (JWSVerifier verifier : verifiers) {
            try {
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // Treated as a bad signature: the token cannot be verified with this key.
            }
        }
        return false;
    }

    private Principal principalOf(JWTClaimsSet claims) throws AuthException {
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw invalid("missing sub");
        }
        Instant now = clock.instant();
        Instant exp = toInstant(claims.getExpirationTime());
        if (exp != null && now.isAfter(exp.plus(CLOCK_SKEW))) {
            throw new AuthException(AuthException.Reason.EXPIRED, "token expired at " + exp);
        }
        Instant nbf = toInstant(claims.getNotBeforeTime());
        if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf)) {
            throw invalid("token not valid before " + nbf);
        }
        String name;
        List<String> topics;
        try {
            name = claims.getStringClaim("name");
        } catch (ParseException e) {
            throw invalid("name claim must be a string");
        }
        try {
            topics = claims.getStringListClaim("topics");
        } catch (ParseException e) {
            throw invalid("topics claim must be an array of strings");
        }
        if (topics != null && topics.contains(null)) {
            throw invalid("topics claim must be an array of strings");
        }
        String problem = Principal.problem(sub, name, topics == null ? List.of() : topics);
        if (problem != null) {
            throw invalid(problem);
        }
        Set<String> topicSet = new HashSet<>();
        if (topics != null) {
            for (String topic : topics) {
                // Many users share a topic (branch:42) and every connection keeps its principal:
                // one String per distinct topic instead of one per token. Interned strings are
                // collected once nothing refers to them.
                topicSet.add(topic.intern());
            }
        }
        return new Principal(sub, name, topicSet, exp);
    }

    private static Instant toInstant(Date date) {
        return date == null ? null : date.toInstant();
    }

    private static AuthException invalid(String message) {
        return new AuthException(AuthException.Reason.INVALID, message);
    }

    private static PublicKey readPem(Path file) {
        try {
            return PemPublicKeyReader.read(file);
        } catch (IOException e) {
            throw new HeraldStartupException("cannot read JWT public key file " + file + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new HeraldStartupException("JWT public key file " + e.getMessage(), e);
        }
    }

    private static JWKSource<SecurityContext> jwkSource(URI url) {
        int timeoutMs = (int) JWKS_TIMEOUT.toMillis();
        try {
            return JWKSourceBuilder.<SecurityContext>create(url.toURL(),
                            new DefaultResourceRetriever(timeoutMs, timeoutMs, JWKS_SIZE_LIMIT))
                    .cache(JWKS_CACHE_TTL_MS, JWKS_TIMEOUT.toMillis() * 2)
                    .refreshAheadCache(false)
                    .retrying(false)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new HeraldStartupException("JWKS URL " + url + " is not a usable http(s) URL", e);
        }
    }
}
