package dev.herald.server.push;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Receipts: signed, expiring tokens a push carries so that the device can tell Herald "the user
 * opened this notification" ({@code POST /api/v1/push/opened}) without holding the user's
 * credentials. A receipt names one notification of one user and one device, and allows only
 * marking that notification seen and read. HMAC-SHA256 with a key every node shares (derived from
 * the Web Push private key, see {@code PushAssembly}); compared in constant time. Thread-safe.
 */
public final class PushReceipts {
    /** How long a receipt is accepted after its push was sent. */
    public static final Duration LIFETIME = Duration.ofDays(30);
    /** Longest receipt accepted, before any parsing. */
    public static final int MAX_LENGTH = 1024;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    /** @param key at least 32 bytes of secret */
    public PushReceipts(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("key: at least 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** What a valid receipt names. */
    public record Receipt(String userStream, String notificationId, String deviceId) {
    }

    /** A receipt for this notification of this user, pushed to this device now. */
    public String issue(String userStream, String notificationId, String deviceId, Instant now) {
        String payload = String.join("\n", "r1", userStream, notificationId, deviceId,
                Long.toString(now.plus(LIFETIME).getEpochSecond()));
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(bytes) + "." + B64.encodeToString(mac(bytes));
    }

    /** The receipt's names when it is well-formed, signed by this key and not expired at {@code now}; else empty. */
    public Optional<Receipt> verify(String receipt, Instant now) {
        Objects.requireNonNull(now, "now");
        if (receipt == null || receipt.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = receipt.indexOf('.');
        if (dot <= 0 || dot != receipt.lastIndexOf('.')) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = B64D.decode(receipt.substring(0, dot));
            signature = B64D.decode(receipt.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            return Optional.empty();
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
        if (parts.length != 5 || !parts[0].equals("r1")) {
            return Optional.empty();
        }
        try {
            if (Long.parseLong(parts[4]) < now.getEpochSecond()) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new Receipt(parts[1], parts[2], parts[3]));
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
