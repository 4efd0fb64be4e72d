package dev.herald.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 user JWTs signed with the test node's secret, made with the JDK's HMAC. */
final class Tokens {
    private Tokens() {
    }

    static String user(String sub, Duration ttl, String... topics) {
        return sign(SECRET_FOR_TESTS, sub, Instant.now().plus(ttl), topics);
    }

    static String forged(String sub) {
        return sign("not-the-secret-not-the-secret-not-the-secret", sub, Instant.now().plusSeconds(600));
    }

    private static final String SECRET_FOR_TESTS = HeraldNode.SECRET;

    static String sign(String secret, String sub, Instant exp, String... topics) {
        StringBuilder claims = new StringBuilder("{\"sub\":\"").append(sub).append("\",\"name\":\"").append(sub)
                .append("\",\"exp\":").append(exp.getEpochSecond());
        if (topics.length > 0) {
            claims.append(",\"topics\":[");
            for (int i = 0; i < topics.length; i++) {
                claims.append(i == 0 ? "" : ",").append('"').append(topics[i]).append('"');
            }
            claims.append(']');
        }
        claims.append('}');
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String body = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
