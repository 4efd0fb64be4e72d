package dev.herald.server.push.webpush;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA-256 (RFC 5869), the key derivation of RFC 8291 and RFC 8188. Written here
 * because {@code javax.crypto.KDF} arrived only in JDK 24, and Herald targets 21. Stateless and
 * thread-safe.
 */
final class Hkdf {
    private static final int HASH_BYTES = 32;

    private Hkdf() {
    }

    /** HKDF-Extract: the pseudorandom key of {@code ikm} under {@code salt}. */
    static byte[] extract(byte[] salt, byte[] ikm) {
        return hmac(salt, ikm);
    }

    /** HKDF-Expand: {@code length} bytes (at most 255 hashes) of {@code prk} for {@code info}. */
    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 1 || length > 255 * HASH_BYTES) {
            throw new IllegalArgumentException("length: must be 1.." + 255 * HASH_BYTES + ", was " + length);
        }
        byte[] out = new byte[length];
        byte[] block = new byte[0];
        for (int i = 1, done = 0; done < length; i++) {
            byte[] input = Arrays.copyOf(block, block.length + info.length + 1);
            System.arraycopy(info, 0, input, block.length, info.length);
            input[input.length - 1] = (byte) i;
            block = hmac(prk, input);
            int n = Math.min(HASH_BYTES, length - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        return out;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}
