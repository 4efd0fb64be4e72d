package dev.herald.server.push;

import java.util.Locale;
import java.util.Optional;

/** Where a device receives pushes, by the name the API and the database use. */
public enum PushPlatform {
    /** A browser's Push API subscription, sent to its push service (RFC 8030, 8291, 8292). */
    WEBPUSH("webpush"),
    /** An Apple device token, sent through APNs. */
    APNS("apns"),
    /** An FCM registration token (Android, and apps using Firebase), sent through FCM HTTP v1. */
    FCM("fcm");

    private final String wireName;

    PushPlatform(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The platform of this wire name; empty for anything else. */
    public static Optional<PushPlatform> of(String wireName) {
        if (wireName == null) {
            return Optional.empty();
        }
        for (PushPlatform p : values()) {
            if (p.wireName.equals(wireName.toLowerCase(Locale.ROOT))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
