package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs HS256 user tokens for the load generator's Herald clients with the secret the benchmark
 * started Herald with. Claims: {@code sub}, {@code exp} (now + 1 h) and optionally {@code topics}.
 * Not thread-safe (one {@link Mac}); the benchmark signs from one thread.
 */
final class Jwt {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final Mac mac;

    Jwt(String secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A token for user {@code sub} granting {@code topics}, valid one hour from now. */
    String userToken(String sub, List<String> topics) {
        StringBuilder claims = new StringBuilder("{\"sub\":\"").append(sub).append('"');
        claims.append(",\"exp\":").append(System.currentTimeMillis() / 1000 + 3600);
        if (!topics.isEmpty()) {
            claims.append(",\"topics\":[");
            for (int i = 0; i < topics.size(); i++) {
                claims.append(i == 0 ? "\"" : ",\"").append(topics.get(i)).append('"');
            }
            claims.append(']');
        }
        claims.append('}');
        return sign(claims.toString());
    }

    /** The compact JWS of {@code claimsJson} with the fixed HS256 header. */
    String sign(String claimsJson) {
        String signingInput = HEADER + "." + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(signature);
    }

    /** Same as {@link #sign} but with a caller-given header JSON (for known test vectors). */
    String sign(String headerJson, String claimsJson) {
        String signingInput = B64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(signature);
    }
}
