package dev.herald.server.push;

import java.util.Optional;

/**
 * How urgent a push is (RFC 8030 section 5.3); APNs and FCM map it to their priorities
 * ({@code HIGH} to APNs priority 10 and FCM {@code HIGH}, the rest to 5 and {@code NORMAL}).
 */
public enum PushUrgency {
    VERY_LOW("very-low"), LOW("low"), NORMAL("normal"), HIGH("high");

    private final String wireName;

    PushUrgency(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the Web Push {@code Urgency} header, and of the API's {@code urgency} field. */
    public String wireName() {
        return wireName;
    }

    public static Optional<PushUrgency> of(String wireName) {
        for (PushUrgency u : values()) {
            if (u.wireName.equals(wireName)) {
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }
}
