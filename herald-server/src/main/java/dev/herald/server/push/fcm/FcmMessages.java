package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushUrgency;

import java.time.Duration;

/**
 * A {@link PushMessage} as the body of FCM's {@code messages:send}: a notification (title, body,
 * the icon as image), the Herald fields as string {@code data} (FCM allows only strings there) so
 * the app can route a tap, and the Android delivery options (collapse key, priority, ttl, badge
 * count, tag). Pure and thread-safe.
 */
final class FcmMessages {
    /** FCM refuses a ttl above four weeks. */
    static final Duration MAX_TTL = Duration.ofDays(28);

    private static final ObjectMapper JSON = new ObjectMapper();

    private FcmMessages() {
    }

    static ObjectNode body(PushDevice device, PushMessage message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putObject("message");
        m.put("token", device.address());

        ObjectNode notification = m.putObject("notification");
        notification.put("title", message.title());
        notification.put("body", message.body());
        if (message.icon() != null) {
            notification.put("image", message.icon());
        }

        ObjectNode data = m.putObject("data");
        message.toJson().properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));

        ObjectNode android = m.putObject("android");
        if (message.collapseKey() != null) {
            android.put("collapse_key", message.collapseKey());
        }
        android.put("priority", message.urgency() == PushUrgency.HIGH ? "HIGH" : "NORMAL");
        // Zero is FCM's "now or never", as it is ours.
        Duration ttl = message.ttl().compareTo(MAX_TTL) > 0 ? MAX_TTL : message.ttl();
        android.put("ttl", ttl.toSeconds() + "s");
        ObjectNode androidNotification = android.putObject("notification");
        androidNotification.put("notification_count", (int) Math.min(Math.max(message.badge(), 0), Integer.MAX_VALUE));
        androidNotification.put("tag", message.collapseKey() != null ? message.collapseKey() : message.notificationId());
        return root;
    }
}
