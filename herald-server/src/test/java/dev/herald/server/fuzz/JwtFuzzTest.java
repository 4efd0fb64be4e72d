package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.JwtVerifier;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.HeraldConfig;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWT parsing and verification ({@link JwtVerifier#verify}) of tokens from clients (query
 * parameter, cookie, {@code refresh} frame). Contract: a {@link Principal} with a non-blank user
 * id, or {@link AuthException}; nothing else. Random text rarely gets past the signature, so the
 * second target signs what the fuzzer writes with the server's HS256 secret: the claims parsing
 * behind the signature is fuzzed too.
 */
class JwtFuzzTest {
    private static final String SECRET = "fuzz-secret-fuzz-secret-fuzz-secret-0123456789";
    private static final JwtVerifier VERIFIER = new JwtVerifier(HeraldConfig.builder()
            .dataDir(Path.of("target", "fuzz-unused"))
            .jwtSecret(SECRET)
            .apiKey("fuzz-api-key-0123456789abcdef")
            .build());

    @FuzzTest(maxDuration = "2m")
    void tokensAreAcceptedOrRefusedWithAuthErrors(byte[] input) {
        verify(new String(input, StandardCharsets.UTF_8));
    }

    /** Header and claims as the fuzzer writes them, base64url-encoded and correctly signed. */
    @FuzzTest(maxDuration = "2m")
    void signedTokensWithAnyClaimsAreAcceptedOrRefusedWithAuthErrors(FuzzedDataProvider data) {
        String header = data.consumeBoolean() ? "{\"alg\":\"HS256\",\"typ\":\"JWT\"}" : data.consumeString(200);
        byte[] claims = data.consumeRemainingAsBytes();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims);
        verify(signingInput + "." + b64.encodeToString(hmac(signingInput)));
    }

    private static void verify(String token) {
        Principal p;
        try {
            p = VERIFIER.verify(token);
        } catch (AuthException expected) {
            return;
        }
        assertThat(p.userId()).isNotBlank();
        assertThat(p.topics()).doesNotContainNull();
    }

    private static byte[] hmac(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
