package dev.herald.server.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated end user, from a verified JWT.
 *
 * @param userId    the token's {@code sub}
 * @param name      display name from the {@code name} claim, or null
 * @param topics    topics granted by the {@code topics} claim, e.g. {@code branch:42}
 * @param expiresAt the token's {@code exp}, or null when it has none
 */
public record Principal(String userId, String name, Set<String> topics, Instant expiresAt) {
    public Principal {
        Objects.requireNonNull(userId, "userId");
        topics = Set.copyOf(topics);
    }

    /** The user's personal stream key. */
    public String userStream() {
        return "user:" + userId;
    }

    public boolean mayRead(String topic) {
        return topics.contains(topic);
    }
}
