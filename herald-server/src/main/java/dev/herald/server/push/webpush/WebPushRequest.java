package dev.herald.server.push.webpush;

import dev.herald.server.push.PushMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The HTTP request of one push to a push service (RFC 8030 section 5): a POST of the encrypted
 * body with {@code TTL}, {@code Urgency}, {@code Topic} (when the message has a collapse key),
 * {@code Content-Encoding: aes128gcm} and the VAPID {@code Authorization}. Stateless and thread-safe.
 */
final class WebPushRequest {
    /** RFC 8030 section 5.4: a topic is at most 32 characters of the base64url alphabet. */
    static final int MAX_TOPIC = 32;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_TOPIC + "}");

    private WebPushRequest() {
    }

    static HttpRequest build(URI endpoint, byte[] body, PushMessage message, String authorization, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("TTL", Long.toString(message.ttl().toSeconds()))
                .header("Urgency", message.urgency().wireName())
                .header("Content-Encoding", "aes128gcm")
                .header("Content-Type", "application/octet-stream")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (message.collapseKey() != null) {
            request.header("Topic", topic(message.collapseKey()));
        }
        return request.build();
    }

    /**
     * The {@code Topic} for a collapse key: the key itself when it fits the topic's alphabet and
     * length, else the first 32 characters of the base64url of its SHA-256, so that any key still
     * collapses with itself and only with itself (to the odds of a 192-bit collision).
     */
    static String topic(String collapseKey) {
        if (TOPIC.matcher(collapseKey).matches()) {
            return collapseKey;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(collapseKey.getBytes(StandardCharsets.UTF_8));
            return Base64Url.encode(hash).substring(0, MAX_TOPIC);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
