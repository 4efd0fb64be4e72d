package dev.herald.server.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/**
 * Development credentials kept in {@code DATA_DIR/credentials.properties}, so that
 * {@code herald} with no options has a JWT secret and an API key that survive restarts.
 *
 * <p>On first need a random 32-byte HS256 secret and a random API key (both base64url) are
 * generated and written atomically to a file readable only by its owner (on POSIX file systems).
 * The keys in the file are the option names, {@code jwt-secret} and {@code api-key}. Values
 * already in the file are kept; only missing ones are generated.
 *
 * @param file            where the credentials are kept
 * @param jwtSecret       the HS256 secret, or null when it was neither needed nor stored
 * @param apiKey          the API key, or null when it was neither needed nor stored
 * @param generatedSecret whether {@code jwtSecret} was generated just now (show it once)
 * @param generatedApiKey whether {@code apiKey} was generated just now (show it once)
 */
public record DevCredentials(Path file, String jwtSecret, String apiKey, boolean generatedSecret,
                             boolean generatedApiKey) {
    public static final String FILE_NAME = "credentials.properties";
    private static final String WHAT = "development credentials";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** Whether anything was generated, i.e. the credentials should be shown now, and only now. */
    public boolean generated() {
        return generatedSecret || generatedApiKey;
    }

    /**
     * Loads the stored credentials and generates those needed but missing.
     *
     * @throws HeraldStartupException when the file cannot be read or written, or holds a value
     *                                too weak to use
     */
    public static DevCredentials loadOrCreate(Path dataDir, boolean needSecret, boolean needApiKey, SecureRandom random) {
        Path file = dataDir.resolve(FILE_NAME);
        Properties stored = PrivatePropertiesFile.read(file, WHAT);
        String secret = stored.getProperty("jwt-secret");
        String apiKey = stored.getProperty("api-key");
        boolean newSecret = needSecret && (secret == null || secret.isBlank());
        boolean newApiKey = needApiKey && (apiKey == null || apiKey.isBlank());
        if (newSecret) {
            secret = randomToken(random, 32);
            stored.setProperty("jwt-secret", secret);
        }
        if (newApiKey) {
            apiKey = "hk_" + randomToken(random, 24);
            stored.setProperty("api-key", apiKey);
        }
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new HeraldStartupException("The jwt-secret in " + file + " is shorter than 32 bytes; delete the line to regenerate it");
        }
        if (apiKey != null && apiKey.length() < 16) {
            throw new HeraldStartupException("The api-key in " + file + " is shorter than 16 characters; delete the line to regenerate it");
        }
        if (newSecret || newApiKey) {
            PrivatePropertiesFile.write(file, stored, "Herald development credentials. Keep private; for production pass "
                    + "--jwt-secret and --api-key instead.", WHAT);
        }
        return new DevCredentials(file, secret, apiKey, newSecret, newApiKey);
    }

    /** The stored secret, if the file exists and has one; generates nothing. */
    public static Optional<String> storedSecret(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String secret = PrivatePropertiesFile.read(file, WHAT).getProperty("jwt-secret");
        return secret == null || secret.isBlank() ? Optional.empty() : Optional.of(secret.strip());
    }

    private static String randomToken(SecureRandom random, int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return BASE64URL.encodeToString(buffer);
    }

    @Override
    public String toString() {
        return "DevCredentials[" + file + "]";
    }
}
