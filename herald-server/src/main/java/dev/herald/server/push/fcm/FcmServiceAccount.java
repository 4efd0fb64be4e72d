package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A Google service account key file, the JSON a Firebase project's "Service accounts" page
 * generates: what Herald signs its access token requests with.
 *
 * <p>Immutable and thread-safe. {@link #toString()} and every error message name the file and
 * the field, never the private key.
 */
public final class FcmServiceAccount {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String projectId;
    private final String clientEmail;
    private final String privateKeyId;
    private final RSAPrivateKey privateKey;
    private final URI tokenUri;

    private FcmServiceAccount(Path file, String projectId, String clientEmail, String privateKeyId,
                              RSAPrivateKey privateKey, URI tokenUri) {
        this.file = file;
        this.projectId = projectId;
        this.clientEmail = clientEmail;
        this.privateKeyId = privateKeyId;
        this.privateKey = privateKey;
        this.tokenUri = tokenUri;
    }

    /**
     * Reads and checks a service account file: {@code type} {@code service_account}, a
     * {@code project_id}, a {@code client_email}, a {@code private_key} (PEM PKCS#8 RSA) and an
     * https {@code token_uri}; {@code private_key_id} is kept when present (it names the key to Google).
     *
     * @throws IllegalArgumentException naming the file and the field that is missing or wrong
     */
    public static FcmServiceAccount read(Path file) {
        JsonNode json;
        try {
            json = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            // Jackson's message may quote the file's content, which holds the key: only its kind is told.
            throw new IllegalArgumentException("FCM service account file " + file + ": cannot be read as JSON ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("FCM service account file " + file + ": not a JSON object");
        }
        String type = text(file, json, "type");
        if (!type.equals("service_account")) {
            throw new IllegalArgumentException("FCM service account file " + file + ": field type must be service_account, was " + type);
        }
        String projectId = text(file, json, "project_id");
        if (!projectId.matches("[a-z0-9][a-z0-9:.-]*")) {
            throw new IllegalArgumentException("FCM service account file " + file + ": field project_id is not a project id: " + projectId);
        }
        String clientEmail = text(file, json, "client_email");
        URI tokenUri;
        try {
            tokenUri = URI.create(text(file, json, "token_uri"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("FCM service account file " + file + ": field token_uri is not a URI");
        }
        if (!"https".equals(tokenUri.getScheme()) && !"http".equals(tokenUri.getScheme()) || tokenUri.getHost() == null) {
            throw new IllegalArgumentException("FCM service account file " + file + ": field token_uri is not an http(s) URL: " + tokenUri);
        }
        JsonNode keyId = json.get("private_key_id");
        return new FcmServiceAccount(file, projectId, clientEmail, keyId != null && keyId.isTextual() ? keyId.asText() : null,
                rsaKey(file, text(file, json, "private_key")), tokenUri);
    }

    private static String text(Path file, JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("FCM service account file " + file + ": field " + field + " is missing or not a string");
        }
        return value.asText();
    }

    private static RSAPrivateKey rsaKey(Path file, String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("FCM service account file " + file
                    + ": field private_key is not a PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalArgumentException("FCM service account file " + file
                    + ": field private_key is not an RSA private key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The file it was read from. */
    public Path file() {
        return file;
    }

    /** The Firebase project pushes are sent through. */
    public String projectId() {
        return projectId;
    }

    /** The account's e-mail: the issuer of its token requests. */
    public String clientEmail() {
        return clientEmail;
    }

    /** The key's id, sent as the JWT {@code kid}; null when the file has none. */
    public String privateKeyId() {
        return privateKeyId;
    }

    /** Where access tokens are requested (Google's OAuth 2.0 token endpoint). */
    public URI tokenUri() {
        return tokenUri;
    }

    RSAPrivateKey privateKey() {
        return privateKey;
    }

    /** The file, project and account: never the key. */
    @Override
    public String toString() {
        return "FcmServiceAccount[" + clientEmail + " of " + projectId + " from " + file + "]";
    }
}
