package dev.herald.server.store;

import java.util.Optional;

/** When a notification stored for a user is also pushed to the user's devices. */
public enum PushPolicy {
    /** Not pushed. */
    NONE("none"),
    /** Pushed at once. */
    ALWAYS("always"),
    /** Pushed at once unless the user has a live connection (on any node) when it is sent. */
    WHEN_OFFLINE("when_offline"),
    /** Pushed after a delay unless the user saw it in the app meanwhile. */
    IF_UNSEEN_AFTER("if_unseen_after");

    private final String wireName;

    PushPolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name the API and the database use. */
    public String wireName() {
        return wireName;
    }

    public static Optional<PushPolicy> of(String wireName) {
        for (PushPolicy p : values()) {
            if (p.wireName.equals(wireName)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
