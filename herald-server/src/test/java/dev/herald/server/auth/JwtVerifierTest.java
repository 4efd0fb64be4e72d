package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.server.config.HeraldStartupException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtVerifierTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    final JwtVerifier hs256 = new JwtVerifier(SECRET, null, null, CLOCK);

    @Test
    void validHs256TokenYieldsSubNameTopicsAndExpiry() throws Exception {
        String token = hmac(SECRET, claims("42").claim("name", "John Doe")
                .claim("topics", List.of("branch:7", "branch:8")).build());

        Principal p = hs256.verify(token);

        assertThat(p.userId()).isEqualTo("42");
        assertThat(p.name()).isEqualTo("John Doe");
        assertThat(p.topics()).containsExactlyInAnyOrder("branch:7", "branch:8");
        assertThat(p.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    }

    @Test
    void principalsOfTokensGrantingOneTopicShareOneStringForIt() throws Exception {
        Principal a = hs256.verify(hmac(SECRET, claims("1").claim("topics", List.of("branch:shared")).build()));
        Principal b = hs256.verify(hmac(SECRET, claims("2").claim("topics", List.of("branch:shared")).build()));

        assertThat(b.topics().iterator().next()).isSameAs(a.topics().iterator().next());
    }

    @Test
    void tokenWithoutNameOrTopicsHasNoneOfThem() throws Exception {
        Principal p = hs256.verify(hmac(SECRET, claims("7").build()));

        assertThat(p.name()).isNull();
        assertThat(p.topics()).isEmpty();
    }

    @Test
    void expiredTokenIsRefusedAsExpiredWithTheExpiryTime() {
        Instant exp = NOW.minusSeconds(60);
        String token = hmac(SECRET, claims("42").expirationTime(Date.from(exp)).build());

        assertThatThrownBy(() -> hs256.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(AuthException.Reason.EXPIRED))
                .hasMessage("token expired at " + exp);
    }

    @Test
    void tokenExpiredWithinTheClockSkewIsStillAccepted() throws Exception {
        String token = hmac(SECRET, claims("42").expirationTime(Date.from(NOW.minusSeconds(3))).build());

        assertThat(hs256.verify(token).userId()).isEqualTo("42");
    }

    @Test
    void tokenNotYetValidIsRefused() {
        String token = hmac(SECRET, claims("42").notBeforeTime(Date.from(NOW.plusSeconds(60))).build());

        assertInvalid(token, "token not valid before");
    }

    @Test
    void tokenSignedWithAnotherSecretHasABadSignature() {
        String token = hmac("another-secret-another-secret-another!!", claims("42").build());

        assertInvalid(token, "bad signature");
    }

    @Test
    void tamperedPayloadHasABadSignature() {
        String token = hmac(SECRET, claims("42").build());
        String[] parts = token.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"1\",\"exp\":4102444800}".getBytes(StandardCharsets.UTF_8));

        assertInvalid(parts[0] + "." + forged + "." + parts[2], "bad signature");
    }

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        String token = new PlainJWT(claims("42").build()).serialize();

        assertInvalid(token, "unsupported alg: none");
    }

    @Test
    void tokenWithoutSubIsRefused() {
        String token = hmac(SECRET, new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(60))).build());

        assertInvalid(token, "missing sub");
    }

    @Test
    void topicsThatAreNotAnArrayOfStringsAreRefused() {
        String token = hmac(SECRET, claims("42").claim("topics", 42).build());

        assertInvalid(token, "topics claim must be an array of strings");
    }

    @Test
    void claimsAtTheirLimitsAreAccepted() throws Exception {
        String sub = "u".repeat(Principal.MAX_USER_ID_LENGTH);
        List<String> topics = java.util.stream.IntStream.range(0, Principal.MAX_TOPICS).mapToObj(i -> "t:" + i).toList();
        String token = hmac(SECRET, claims(sub).claim("name", "n".repeat(Principal.MAX_NAME_LENGTH))
                .claim("topics", topics).build());

        Principal p = hs256.verify(token);

        assertThat(p.userId()).isEqualTo(sub);
        assertThat(p.topics()).hasSize(Principal.MAX_TOPICS);
    }

    @Test
    void aSubLongerThanTheStoreKeepsIsRefusedAsInvalid() {
        assertInvalid(hmac(SECRET, claims("u".repeat(Principal.MAX_USER_ID_LENGTH + 1)).build()),
                "sub too long: at most 128 characters");
    }

    @Test
    void aTokenOverEightKibIsRefusedBeforeItIsParsed() {
        String token = hmac(SECRET, claims("42").claim("pad", "x".repeat(JwtVerifier.MAX_TOKEN_LENGTH)).build());

        assertInvalid(token, "token too long: at most 8192 characters");
    }

    @Test
    void aLongNameTooManyTopicsOrALongTopicAreRefusedAsInvalid() {
        assertInvalid(hmac(SECRET, claims("42").claim("name", "n".repeat(Principal.MAX_NAME_LENGTH + 1)).build()),
                "name claim too long: at most 200 characters");
        List<String> many = java.util.stream.IntStream.rangeClosed(0, Principal.MAX_TOPICS).mapToObj(i -> "t:" + i).toList();
        assertInvalid(hmac(SECRET, claims("42").claim("topics", many).build()),
                "topics claim grants too many topics: at most 256");
        assertInvalid(hmac(SECRET, claims("42").claim("topics", List.of("branch:" + "9".repeat(Principal.MAX_TOPIC_LENGTH))).build()),
                "topic too long: at most 255 characters");
    }

    @Test
    void garbageIsMalformed() {
        assertInvalid("not-a-jwt", "malformed token");
        assertInvalid("a.b.c", "malformed token");
    }

    @Test
    void headerThatIsJsonNullIsMalformedNotANullPointer() {
        // Found by JwtFuzzTest: nimbus' parser threw NullPointerException for it.
        assertInvalid(b64("null") + "." + b64("{\"sub\":\"42\"}") + ".c2ln", "malformed token");
    }

    @Test
    void signedClaimsThatAreJsonNullAreMalformed() throws Exception {
        String signingInput = b64("{\"alg\":\"HS256\"}") + "." + b64("null");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        String token = signingInput + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> hs256.verify(token)).isInstanceOf(AuthException.class);
    }

    private static String b64(String json) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void blankOrNullTokenIsMissing() {
        for (String token : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> hs256.verify(token))
                    .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(AuthException.Reason.MISSING));
        }
    }

    @Test
    void rs256TokenIsRefusedWhenOnlyASecretIsConfigured() throws Exception {
        KeyPair rsa = rsaKeys(1);
        String token = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, null, claims("42").build());

        assertInvalid(token, "unsupported alg: RS256");
    }

    @Test
    void hs256TokenIsRefusedWhenOnlyAPublicKeyIsConfigured() throws Exception {
        Path pem = writePem("rsa.pem", rsaKeys(2));
        JwtVerifier verifier = new JwtVerifier(null, pem, null, CLOCK);

        // The classic key-confusion attack: HMAC keyed with the public key's bytes must not pass.
        String token = hmac(Files.readString(pem), claims("42").build());

        assertThatThrownBy(() -> verifier.verify(token)).hasMessageContaining("unsupported alg: HS256");
    }

    @Test
    void rs256TokenVerifiesWithAPemPublicKey() throws Exception {
        KeyPair rsa = rsaKeys(3);
        JwtVerifier verifier = new JwtVerifier(null, writePem("rsa.pem", rsa), null, CLOCK);
        String token = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, null, claims("rsa-user").build());

        assertThat(verifier.verify(token).userId()).isEqualTo("rsa-user");
    }

    @Test
    void rs256TokenSignedByAnotherKeyIsRefused() throws Exception {
        JwtVerifier verifier = new JwtVerifier(null, writePem("rsa.pem", rsaKeys(4)), null, CLOCK);
        String token = sign(new RSASSASigner(rsaKeys(5).getPrivate()), JWSAlgorithm.RS256, null, claims("42").build());

        assertInvalid(verifier, token, "bad signature");
    }

    @Test
    void es256TokenVerifiesWithAPemPublicKeyAndOtherAlgsAreRefused() throws Exception {
        KeyPair ec = ecKeys(6);
        JwtVerifier verifier = new JwtVerifier(SECRET, writePem("ec.pem", ec), null, CLOCK);
        String token = sign(new ECDSASigner((ECPrivateKey) ec.getPrivate()), JWSAlgorithm.ES256, null,
                claims("ec-user").claim("topics", List.of("branch:1")).build());

        assertThat(verifier.verify(token).topics()).containsExactly("branch:1");
        assertThat(verifier.verify(hmac(SECRET, claims("hs-user").build())).userId()).isEqualTo("hs-user");
        String rsaToken = sign(new RSASSASigner(rsaKeys(7).getPrivate()), JWSAlgorithm.RS256, null, claims("42").build());
        assertInvalid(verifier, rsaToken, "unsupported alg: RS256");
    }

    @Test
    void unusablePemFileFailsStartupWithItsName() throws Exception {
        Path notPem = dir.resolve("key.txt");
        Files.writeString(notPem, "hello");

        assertThatThrownBy(() -> new JwtVerifier(null, notPem, null, CLOCK))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageContaining(notPem.toString())
                .hasMessageContaining("no '-----BEGIN PUBLIC KEY-----'");
        assertThatThrownBy(() -> new JwtVerifier(null, dir.resolve("missing.pem"), null, CLOCK))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageContaining("cannot read JWT public key file");
    }

    private void assertInvalid(String token, String messagePart) {
        assertInvalid(hs256, token, messagePart);
    }

    static void assertInvalid(JwtVerifier verifier, String token, String messagePart) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(AuthException.Reason.INVALID))
                .hasMessageContaining(messagePart);
    }

    static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder().subject(sub).issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(3600)));
    }

    static String hmac(String secret, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair rsaKeys(long seed) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, seeded(seed));
        return gen.generateKeyPair();
    }

    static KeyPair ecKeys(long seed) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), seeded(seed));
        return gen.generateKeyPair();
    }

    private static SecureRandom seeded(long seed) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed);
        return random;
    }

    private Path writePem(String name, KeyPair keys) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded());
        Path file = dir.resolve(name);
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
        return file;
    }
}
