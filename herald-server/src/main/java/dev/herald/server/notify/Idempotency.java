package dev.herald.server.notify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Idempotency keys of publishes and the fingerprint each is stored with: a publish repeated
 * with the same key and the same request is a replay, with the same key and another request a
 * conflict.
 */
public final class Idempotency {
    /** Longest key, in characters. */
    public static final int MAX_KEY_LENGTH = 255;

    private Idempotency() {
    }

    /** Whether an already stripped key may be used: 1 to {@link #MAX_KEY_LENGTH} characters. */
    public static boolean isKey(String stripped) {
        return !stripped.isEmpty() && stripped.length() <= MAX_KEY_LENGTH;
    }

    /** The fingerprint of a request: SHA-256, in hex. */
    public static String fingerprint(byte[] request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(request));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
