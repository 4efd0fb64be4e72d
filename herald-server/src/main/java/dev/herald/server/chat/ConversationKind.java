package dev.herald.server.chat;

import java.util.Locale;

/** A conversation between exactly two users, or a group of any size. */
public enum ConversationKind {
    DIRECT, GROUP;

    /** The name on the wire: {@code direct} or {@code group}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but {@code direct} or {@code group} */
    public static ConversationKind fromWire(String value) {
        if ("direct".equals(value)) {
            return DIRECT;
        }
        if ("group".equals(value)) {
            return GROUP;
        }
        throw new IllegalArgumentException("kind: must be direct or group, was " + value);
    }
}
