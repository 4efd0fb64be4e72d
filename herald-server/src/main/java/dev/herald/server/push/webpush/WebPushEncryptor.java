package dev.herald.server.push.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a push message for one browser subscription: RFC 8291 (Message Encryption for Web
 * Push) in the {@code aes128gcm} content coding of RFC 8188, as one record.
 *
 * <p>The body is {@code salt(16) | rs(4) = 4096 | idlen(1) = 65 | keyid(65)} followed by the
 * AES-128-GCM of {@code plaintext | 0x02} (the last-record padding delimiter, no further
 * padding). Each message gets a fresh 16-byte salt and a fresh ephemeral P-256 key pair, whose
 * public key is the {@code keyid}. Plaintexts over {@value #MAX_PLAINTEXT} bytes are refused: with
 * the 86-byte header, the delimiter and the 16-byte tag the body would exceed the 4096 bytes
 * every push service must accept (RFC 8291 section 4).
 *
 * <p>Built on the JDK alone ({@code KeyAgreement "ECDH"}, {@code Mac "HmacSHA256"} for HKDF,
 * {@code Cipher "AES/GCM/NoPadding"}): the Java Web Push libraries bring more than the hundred
 * lines they save (nl.martijndwars web-push is unmaintained since 2021 and pulls in BouncyCastle
 * and Apache HttpClient; com.interaso webpush is Kotlin on Ktor). Thread-safe; stateless apart
 * from the {@link SecureRandom}, which is itself thread-safe.
 */
final class WebPushEncryptor {
    static final int RECORD_SIZE = 4096;
    static final int MAX_PLAINTEXT = RECORD_SIZE - 16 - 4 - 1 - P256.POINT_BYTES - 1 - 16;
    private static final int SALT_BYTES = 16;
    private static final int TAG_BITS = 128;
    private static final byte[] KEY_INFO = ascii("WebPush: info\0");
    private static final byte[] CEK_INFO = ascii("Content-Encoding: aes128gcm\0");
    private static final byte[] NONCE_INFO = ascii("Content-Encoding: nonce\0");

    private final SecureRandom random;

    WebPushEncryptor(SecureRandom random) {
        this.random = random;
    }

    /**
     * The {@code aes128gcm} body carrying {@code plaintext} to the holder of {@code uaPublic}
     * and {@code authSecret}.
     *
     * @throws IllegalArgumentException when {@code plaintext} is over {@value #MAX_PLAINTEXT} bytes
     */
    byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return encrypt(plaintext, uaPublic, authSecret, salt, P256.generate(random));
    }

    /** {@link #encrypt(byte[], ECPublicKey, byte[])} with a given salt and ephemeral key pair (tests). */
    static byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret, byte[] salt, KeyPair ephemeral) {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new IllegalArgumentException("plaintext: at most " + MAX_PLAINTEXT + " bytes fit one Web Push record, was "
                    + plaintext.length);
        }
        byte[] asPublic = P256.encode((ECPublicKey) ephemeral.getPublic());
        byte[] uaPoint = P256.encode(uaPublic);
        byte[] ecdhSecret = ecdh((ECPrivateKey) ephemeral.getPrivate(), uaPublic);
        // RFC 8291 section 3.4: the auth secret and both public keys bind the IKM to this subscription.
        byte[] ikm = Hkdf.expand(Hkdf.extract(authSecret, ecdhSecret), concat(KEY_INFO, uaPoint, asPublic), 32);
        byte[] prk = Hkdf.extract(salt, ikm);
        byte[] cek = Hkdf.expand(prk, CEK_INFO, 16);
        byte[] nonce = Hkdf.expand(prk, NONCE_INFO, 12);
        byte[] record = Arrays.copyOf(plaintext, plaintext.length + 1);
        record[plaintext.length] = 0x02;
        ByteBuffer header = ByteBuffer.allocate(SALT_BYTES + 4 + 1 + asPublic.length)
                .put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic);
        return concat(header.array(), aesGcm(cek, nonce, record));
    }

    private static byte[] ecdh(ECPrivateKey own, ECPublicKey peer) {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(own);
            agreement.doPhase(peer, true);
            return agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("uaPublic: ECDH with it failed: " + e.getMessage(), e);
        }
    }

    private static byte[] aesGcm(byte[] key, byte[] nonce, byte[] record) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            return cipher.doFinal(record);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/GCM/NoPadding", e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
