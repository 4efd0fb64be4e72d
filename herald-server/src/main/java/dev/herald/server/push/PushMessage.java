package dev.herald.server.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * What one push says, the same for every platform; each {@link PushSender} puts it into its
 * provider's shape. Built by the dispatcher from the stored notification; every text is already
 * cut so the provider's payload fits its limit (4 KiB).
 *
 * @param notificationId the notification's id (the service worker marks it seen/read on click)
 * @param type           the notification's type
 * @param title          the title shown; never empty
 * @param body           the text shown; may be empty
 * @param icon           an https URL of an icon, or null
 * @param url            what a click opens, or null (the app's start page)
 * @param badge          the user's unseen count (the app icon's badge)
 * @param ttl            how long the provider keeps it for an unreachable device; zero: deliver now or drop
 * @param urgency        the delivery priority
 * @param collapseKey    a newer push with the same key replaces this one on the device (Web Push
 *                       {@code Topic}, APNs {@code apns-collapse-id}, FCM {@code collapse_key}); or null
 * @param receipt        a signed token that lets the device mark this notification seen and read
 *                       without the user's credentials ({@code POST /api/v1/push/opened}); or null
 */
public record PushMessage(String notificationId, String type, String title, String body, String icon, String url,
                          long badge, Duration ttl, PushUrgency urgency, String collapseKey, String receipt) {
    public PushMessage {
        Objects.requireNonNull(notificationId, "notificationId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(urgency, "urgency");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl: must not be negative, was " + ttl);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The JSON a browser's service worker receives (the Web Push payload, before encryption), and
     * the custom data of APNs and FCM pushes:
     * {@code {"herald": 1, "id", "type", "title", "body", "icon", "url", "badge", "tag", "receipt"}}
     * ({@code icon}, {@code url} and {@code receipt} only when set; {@code tag} is the collapse key,
     * else the notification id, so a repeated push replaces its own notification on screen).
     */
    public ObjectNode toJson() {
        ObjectNode out = JSON.createObjectNode();
        out.put("herald", 1);
        out.put("id", notificationId);
        out.put("type", type);
        out.put("title", title);
        out.put("body", body);
        if (icon != null) {
            out.put("icon", icon);
        }
        if (url != null) {
            out.put("url", url);
        }
        out.put("badge", badge);
        out.put("tag", collapseKey != null ? collapseKey : notificationId);
        if (receipt != null) {
            out.put("receipt", receipt);
        }
        return out;
    }

    /** {@link #toJson()} as UTF-8 bytes. */
    public byte[] toJsonBytes() {
        return toJson().toString().getBytes(StandardCharsets.UTF_8);
    }
}
