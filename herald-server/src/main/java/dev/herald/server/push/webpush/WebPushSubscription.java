package dev.herald.server.push.webpush;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.interfaces.ECPublicKey;
import java.util.Locale;

/**
 * A browser's push subscription, as {@code PushSubscription.toJSON()} gives it:
 * {@code {"endpoint": "https://...", "expirationTime": null, "keys": {"p256dh": "...", "auth": "..."}}}.
 *
 * <p>Valid by construction: the endpoint is an absolute {@code https} URL (or {@code http} when
 * {@link WebPushSettings#allowHttpEndpoints()} allows it) of at most {@value #MAX_ENDPOINT_LENGTH}
 * characters with a host and neither user info nor fragment; {@code p256dh} is base64url of a
 * 65-byte uncompressed point on P-256; {@code auth} is base64url of 16 bytes. A refusal is a
 * {@link ValidationException} whose field is {@code subscription.endpoint},
 * {@code subscription.keys.p256dh} or {@code subscription.keys.auth} (or the object missing) and
 * whose reason can go back to the client as is; it never echoes the endpoint or the keys.
 * {@code expirationTime} is ignored: browsers rarely set it, and a push service answers 404/410 for
 * an expired subscription, which removes the device.
 *
 * <p>Immutable and thread-safe. The endpoint is a credential (whoever knows it can push to the
 * browser), so {@link #toString()} shows only its origin.
 */
public final class WebPushSubscription {
    public static final int MAX_ENDPOINT_LENGTH = 1024;
    private static final int AUTH_BYTES = 16;

    private final URI endpoint;
    private final String p256dh;
    private final String auth;
    private final ECPublicKey uaPublicKey;
    private final byte[] authSecret;

    private WebPushSubscription(URI endpoint, String p256dh, String auth, ECPublicKey uaPublicKey, byte[] authSecret) {
        this.endpoint = endpoint;
        this.p256dh = p256dh;
        this.auth = auth;
        this.uaPublicKey = uaPublicKey;
        this.authSecret = authSecret;
    }

    /**
     * The subscription in this JSON object.
     *
     * @throws ValidationException naming the first field that is missing or wrong
     */
    public static WebPushSubscription parse(JsonNode json, boolean allowHttp) {
        if (json == null || !json.isObject()) {
            throw new ValidationException("subscription", "must be an object with endpoint and keys");
        }
        JsonNode keys = json.get("keys");
        if (keys == null || !keys.isObject()) {
            // The endpoint is checked first so that its error comes first, as the fields are written.
            endpoint(text(json, "endpoint", "subscription.endpoint"), allowHttp);
            throw new ValidationException("subscription.keys", "must be an object with p256dh and auth");
        }
        return of(text(json, "endpoint", "subscription.endpoint"), text(keys, "p256dh", "subscription.keys.p256dh"),
                text(keys, "auth", "subscription.keys.auth"), allowHttp);
    }

    /**
     * The subscription of these values (a stored device's).
     *
     * @throws ValidationException naming the first one that is wrong
     */
    public static WebPushSubscription of(String endpoint, String p256dh, String auth, boolean allowHttp) {
        URI uri = endpoint(endpoint, allowHttp);
        ECPublicKey key;
        try {
            key = P256.publicKey(decode(p256dh, "subscription.keys.p256dh"));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("subscription.keys.p256dh", e.getMessage());
        }
        byte[] secret = decode(auth, "subscription.keys.auth");
        if (secret.length != AUTH_BYTES) {
            throw new ValidationException("subscription.keys.auth", "must be " + AUTH_BYTES + " bytes, was " + secret.length);
        }
        return new WebPushSubscription(uri, p256dh, auth, key, secret);
    }

    /** The push service URL pushes are POSTed to; a credential, never to be logged. */
    public URI endpoint() {
        return endpoint;
    }

    /** The browser's P-256 public key, base64url, as given. */
    public String p256dh() {
        return p256dh;
    }

    /** The 16-byte authentication secret, base64url, as given. */
    public String auth() {
        return auth;
    }

    ECPublicKey uaPublicKey() {
        return uaPublicKey;
    }

    byte[] authSecret() {
        return authSecret.clone();
    }

    @Override
    public String toString() {
        return "WebPushSubscription[" + VapidSigner.origin(endpoint) + "]";
    }

    private static URI endpoint(String endpoint, boolean allowHttp) {
        String field = "subscription.endpoint";
        if (endpoint == null || endpoint.isEmpty()) {
            throw new ValidationException(field, "required");
        }
        if (endpoint.length() > MAX_ENDPOINT_LENGTH) {
            throw new ValidationException(field, "at most " + MAX_ENDPOINT_LENGTH + " characters, was " + endpoint.length());
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new ValidationException(field, "not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new ValidationException(field, allowHttp ? "must be an https or http URL" : "must be an https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ValidationException(field, "must be an absolute URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ValidationException(field, "must not contain user info");
        }
        if (uri.getRawFragment() != null) {
            throw new ValidationException(field, "must not contain a fragment");
        }
        return uri;
    }

    private static String text(JsonNode object, String name, String field) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            throw new ValidationException(field, "required");
        }
        if (!value.isTextual()) {
            throw new ValidationException(field, "must be a string");
        }
        return value.textValue();
    }

    private static byte[] decode(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "required");
        }
        try {
            return Base64Url.decode(value);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, e.getMessage());
        }
    }
}
