package dev.herald.server.push.webpush;

import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.config.PrivatePropertiesFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's VAPID key pair (RFC 8292): the P-256 key that signs the JWT sent with every push, and
 * whose public key browsers subscribe with ({@code applicationServerKey}) so their push service
 * accepts only pushes signed by it.
 *
 * <p>Either configured, in the format {@code web-push generate-vapid-keys} prints (the public key
 * as the 65-byte uncompressed point, the private key as the 32-byte scalar, both base64url), or
 * generated on first start and kept in {@code DATA_DIR/push-vapid.properties}, written atomically
 * and readable only by its owner. Either way the pair is checked on load: the public key must be
 * the private key's. Changing the pair orphans every subscription made with the old public key
 * (its push service refuses our pushes), so a generated pair is kept for good.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the public key only; no message of this
 * class contains the private key.
 */
public final class VapidKeys {
    /** The file a generated pair is kept in, in the data directory. */
    public static final String FILE_NAME = "push-vapid.properties";
    private static final String WHAT = "the Web Push VAPID keys";
    private static final Logger log = LoggerFactory.getLogger(VapidKeys.class);

    private final ECPublicKey publicKey;
    private final ECPrivateKey privateKey;

    private VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /**
     * A configured pair.
     *
     * @param publicKey  the 65-byte uncompressed P-256 point, base64url
     * @param privateKey the 32-byte scalar, base64url
     * @throws IllegalArgumentException naming the key that is malformed, or saying that they do
     *                                  not belong together; never containing the private key
     */
    public static VapidKeys of(String publicKey, String privateKey) {
        ECPublicKey pub;
        ECPrivateKey priv;
        try {
            pub = P256.publicKey(Base64Url.decode(publicKey.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VAPID public key: " + e.getMessage());
        }
        try {
            priv = P256.privateKey(Base64Url.decode(privateKey.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VAPID private key: " + e.getMessage());
        }
        if (!pair(pub, priv)) {
            throw new IllegalArgumentException("VAPID keys: the public key is not the private key's");
        }
        return new VapidKeys(pub, priv);
    }

    /** A fresh pair from {@code random}. */
    public static VapidKeys generate(SecureRandom random) {
        KeyPair pair = P256.generate(random);
        return new VapidKeys((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    /**
     * The pair kept in {@code dataDir/}{@value #FILE_NAME}, generated and saved there (owner-only,
     * atomically) when the file does not exist yet.
     *
     * @throws HeraldStartupException naming the file when it cannot be read or written, or holds
     *                                no valid pair (with how to start over); never containing the
     *                                private key
     */
    public static VapidKeys loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            Properties stored = PrivatePropertiesFile.read(file, WHAT);
            String pub = stored.getProperty("public-key");
            String priv = stored.getProperty("private-key");
            if (pub == null || priv == null) {
                throw corrupt(file, "it lacks " + (pub == null ? "public-key" : "private-key"));
            }
            try {
                return of(pub, priv);
            } catch (IllegalArgumentException e) {
                throw corrupt(file, e.getMessage());
            }
        }
        VapidKeys keys = generate(random);
        Properties properties = new Properties();
        properties.setProperty("public-key", keys.publicKeyBase64Url());
        properties.setProperty("private-key", Base64Url.encode(P256.encode(keys.privateKey)));
        PrivatePropertiesFile.write(file, properties, "Herald's Web Push VAPID key pair. Keep private; browsers subscribed "
                + "with this public key receive pushes only while it is kept.", WHAT);
        log.info("generated a Web Push VAPID key pair in {}; its public key (browsers subscribe with it) is {}",
                file, keys.publicKeyBase64Url());
        return keys;
    }

    /** The public key as browsers take it ({@code applicationServerKey}) and as VAPID's {@code k=}: base64url. */
    public String publicKeyBase64Url() {
        return Base64Url.encode(P256.encode(publicKey));
    }

    ECPublicKey publicKey() {
        return publicKey;
    }

    /**
     * A 32-byte secret derived from the private key for another purpose, named by {@code label}
     * (HMAC-SHA256 keyed with the private scalar): every node with this pair derives the same one,
     * and it reveals nothing of the private key. Herald signs push receipts with it.
     */
    public byte[] derive(String label) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            byte[] scalar = privateKey.getS().toByteArray();
            mac.init(new javax.crypto.spec.SecretKeySpec(scalar, "HmacSHA256"));
            java.util.Arrays.fill(scalar, (byte) 0);
            return mac.doFinal(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    ECPrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VapidKeys other && other.publicKey.equals(publicKey) && other.privateKey.getS().equals(privateKey.getS());
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    @Override
    public String toString() {
        return "VapidKeys[public " + publicKeyBase64Url() + "]";
    }

    private static HeraldStartupException corrupt(Path file, String why) {
        return new HeraldStartupException("The Web Push VAPID keys in " + file + " are not usable (" + why + "); restore the "
                + "file from a backup, or delete it to generate a new pair (browsers subscribed with the old public key "
                + "must then subscribe again)");
    }

    /** Whether {@code pub} is {@code priv}'s public key: a signature by one verifies with the other. */
    private static boolean pair(ECPublicKey pub, ECPrivateKey priv) {
        try {
            byte[] probe = "herald vapid key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(priv);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA256withECDSA", e);
        }
    }
}
