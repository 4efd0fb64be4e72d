package dev.herald.server.push.webpush;

import java.util.Base64;

/**
 * The base64url alphabet (RFC 4648 section 5) in which Web Push writes keys, unpadded on output
 * and with or without padding on input. Decoding failures never echo the input, which may be a
 * private key. Stateless and thread-safe.
 */
final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
    }

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** @throws IllegalArgumentException "is not base64url" (never the text itself) */
    static byte[] decode(String text) {
        try {
            return DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64url");
        }
    }
}
