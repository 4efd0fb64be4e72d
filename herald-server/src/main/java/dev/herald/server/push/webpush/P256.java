package dev.herald.server.push.webpush;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * The NIST P-256 curve (secp256r1) as Web Push writes its keys: a public key as the 65-byte
 * uncompressed point {@code 0x04 || x || y} (SEC1 2.3.3), a private key as its 32-byte scalar.
 *
 * <p>Decoding checks that a point is on the curve itself: the JDK's {@code KeyFactory} accepts any
 * coordinates (only a later ECDH refuses them), and an invalid point must be refused when a
 * browser registers it, not at the first send. Stateless and thread-safe.
 */
final class P256 {
    /** The length of an uncompressed point. */
    static final int POINT_BYTES = 65;
    private static final int COORDINATE_BYTES = 32;
    static final ECParameterSpec PARAMS = parameters();
    private static final BigInteger P = ((ECFieldFp) PARAMS.getCurve().getField()).getP();

    private P256() {
    }

    /**
     * The public key at this uncompressed point.
     *
     * @throws IllegalArgumentException saying what is wrong (never echoing the bytes)
     */
    static ECPublicKey publicKey(byte[] point) {
        if (point.length != POINT_BYTES) {
            throw new IllegalArgumentException("must be " + POINT_BYTES + " bytes, was " + point.length);
        }
        if (point[0] != 0x04) {
            throw new IllegalArgumentException("must be an uncompressed point (starting with 0x04)");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + COORDINATE_BYTES));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + COORDINATE_BYTES, POINT_BYTES));
        if (!onCurve(x, y)) {
            throw new IllegalArgumentException("is not a point on the P-256 curve");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), PARAMS));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    /**
     * The private key of this 32-byte scalar.
     *
     * @throws IllegalArgumentException when it is not 32 bytes or not in [1, n-1]
     */
    static ECPrivateKey privateKey(byte[] scalar) {
        if (scalar.length != COORDINATE_BYTES) {
            throw new IllegalArgumentException("must be " + COORDINATE_BYTES + " bytes, was " + scalar.length);
        }
        BigInteger s = new BigInteger(1, scalar);
        if (s.signum() == 0 || s.compareTo(PARAMS.getOrder()) >= 0) {
            throw new IllegalArgumentException("is not a P-256 private key (out of range)");
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, PARAMS));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    /** A fresh key pair from {@code random}. */
    static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(PARAMS, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    /** The 65-byte uncompressed point of this key. */
    static byte[] encode(ECPublicKey key) {
        byte[] out = new byte[POINT_BYTES];
        out[0] = 0x04;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 1 + COORDINATE_BYTES);
        return out;
    }

    /** The 32-byte scalar of this key. */
    static byte[] encode(ECPrivateKey key) {
        byte[] out = new byte[COORDINATE_BYTES];
        fixed(key.getS(), out, 0);
        return out;
    }

    /** y² = x³ - 3x + b (mod p), with both coordinates reduced. */
    private static boolean onCurve(BigInteger x, BigInteger y) {
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
            return false;
        }
        BigInteger a = PARAMS.getCurve().getA();
        BigInteger b = PARAMS.getCurve().getB();
        BigInteger left = y.multiply(y).mod(P);
        BigInteger right = x.multiply(x).multiply(x).add(a.multiply(x)).add(b).mod(P);
        return left.equals(right);
    }

    /** Writes {@code value} big-endian into 32 bytes at {@code offset}, left-padded with zeros. */
    private static void fixed(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > COORDINATE_BYTES ? bytes.length - COORDINATE_BYTES : 0;
        int length = bytes.length - skip;
        System.arraycopy(bytes, skip, out, offset + COORDINATE_BYTES - length, length);
    }

    private static ECParameterSpec parameters() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
