package dev.herald.server.push.apns;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushUrgency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * A {@link PushMessage} in APNs' shape: an alert with title, body, badge and the default sound, the
 * Herald fields under the custom key {@code herald} (so the app can route a tap), and the headers
 * (topic, collapse id, expiration, priority, push type). Pure and thread-safe.
 */
final class ApnsNotifications {
    /** APNs refuses an {@code apns-collapse-id} longer than this many bytes. */
    static final int MAX_COLLAPSE_ID_BYTES = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private ApnsNotifications() {
    }

    static SimpleApnsPushNotification of(PushDevice device, PushMessage message, Instant now) {
        SimpleApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder();
        payload.setAlertTitle(message.title());
        payload.setAlertBody(message.body());
        payload.setBadgeNumber((int) Math.min(Math.max(message.badge(), 0), Integer.MAX_VALUE));
        payload.setSound("default");
        payload.addCustomProperty("herald", JSON.convertValue(message.toJson(), MAP));
        return new SimpleApnsPushNotification(device.address(), device.apnsTopic(), payload.build(),
                expiration(message, now), priority(message.urgency()), PushType.ALERT,
                collapseId(message.collapseKey()));
    }

    /**
     * When APNs drops the push if the device stayed unreachable. A zero ttl becomes the epoch,
     * which Pushy sends as {@code apns-expiration: 0}: APNs then tries once and does not store it.
     */
    static Instant expiration(PushMessage message, Instant now) {
        return message.ttl().isZero() ? Instant.EPOCH : now.plus(message.ttl());
    }

    static DeliveryPriority priority(PushUrgency urgency) {
        return urgency == PushUrgency.HIGH ? DeliveryPriority.IMMEDIATE : DeliveryPriority.CONSERVE_POWER;
    }

    /**
     * The collapse key as it is when it fits APNs' 64 bytes, else its SHA-256 in base64url (43
     * characters): the same key always gives the same id, so pushes still replace each other.
     */
    static String collapseId(String collapseKey) {
        if (collapseKey == null || collapseKey.getBytes(StandardCharsets.UTF_8).length <= MAX_COLLAPSE_ID_BYTES) {
            return collapseKey;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(collapseKey.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
