package dev.herald.server.auth;

import dev.herald.server.config.HeraldConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks the API key an app backend presents against the configured keys.
 *
 * <p>Keys are kept only as SHA-256 digests and compared with {@link MessageDigest#isEqual}
 * against every configured key, so the time taken does not reveal how much of a key matched
 * or which key it was. Keys never appear in logs or in {@link #toString()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeyAuthenticator {
    private final List<byte[]> digests;

    /** @param keys the accepted keys; at least one, none blank */
    public ApiKeyAuthenticator(List<String> keys) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("keys: at least one API key is required");
        }
        for (String key : keys) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("keys: an API key must not be blank");
            }
        }
        digests = keys.stream().map(ApiKeyAuthenticator::sha256).toList();
    }

    public ApiKeyAuthenticator(HeraldConfig config) {
        this(config.apiKeys());
    }

    /** Whether {@code presented} is one of the configured keys; false for null or blank. */
    public boolean isValid(String presented) {
        if (presented == null || presented.isBlank()) {
            return false;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            // No early exit: every key is compared whatever the outcome.
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthenticator[" + digests.size() + " keys]";
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
