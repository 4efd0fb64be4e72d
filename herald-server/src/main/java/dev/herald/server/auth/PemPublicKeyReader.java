package dev.herald.server.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an RSA or EC public key from a PEM file: a {@code PUBLIC KEY} block (SubjectPublicKeyInfo,
 * what {@code openssl pkey -pubout} writes) or a {@code CERTIFICATE} block. Stateless.
 *
 * <p>Plain JCA only; nimbus' own PEM parser would pull in BouncyCastle.
 */
final class PemPublicKeyReader {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemPublicKeyReader() {
    }

    /**
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it holds no usable RSA or EC public key; the message says why
     */
    static PublicKey read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    static PublicKey parse(String pem, String origin) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": the " + type + " block is not valid base64");
            }
            switch (type) {
                case "PUBLIC KEY":
                    return fromSubjectPublicKeyInfo(der, origin);
                case "CERTIFICATE":
                    return fromCertificate(der, origin);
                case "RSA PUBLIC KEY":
                    throw new IllegalArgumentException(origin + ": PKCS#1 'RSA PUBLIC KEY' is not supported; convert it with "
                            + "'openssl rsa -RSAPublicKey_in -in FILE -pubout'");
                default:
                    if (type.contains("PRIVATE KEY")) {
                        throw new IllegalArgumentException(origin + ": holds a private key; give the public key only");
                    }
                    // Skip blocks we do not use, e.g. EC PARAMETERS before the key.
            }
        }
        throw new IllegalArgumentException(origin + ": no '-----BEGIN PUBLIC KEY-----' or CERTIFICATE block found");
    }

    private static PublicKey fromSubjectPublicKeyInfo(byte[] der, String origin) {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this key type; try the next one.
            }
        }
        throw new IllegalArgumentException(origin + ": the public key is neither RSA nor EC");
    }

    private static PublicKey fromCertificate(byte[] der, String origin) {
        try {
            PublicKey key = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            String algorithm = key.getAlgorithm();
            if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
                throw new IllegalArgumentException(origin + ": the certificate's key is " + algorithm + ", not RSA or EC");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(origin + ": not a valid X.509 certificate (" + e.getMessage() + ")");
        }
    }
}
