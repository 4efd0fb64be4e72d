package dev.herald.server.auth;

import dev.herald.server.stream.Streams;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated end user, from a verified JWT.
 *
 * <p>What a principal may hold is bounded by what the store can keep (the columns in
 * {@code db/migration}), so an oversized claim is refused at authentication (401) instead of
 * failing later in the store: see {@link #MAX_USER_ID_LENGTH} and the other limits.
 *
 * @param userId    the token's {@code sub}
 * @param name      display name from the {@code name} claim, or null
 * @param topics    topics granted by the {@code topics} claim, e.g. {@code branch:42}
 * @param expiresAt the token's {@code exp}, or null when it has none
 */
public record Principal(String userId, String name, Set<String> topics, Instant expiresAt) {
    /**
     * Longest user id ({@code sub}), in characters: chat's {@code user_id} columns are
     * VARCHAR(128) (V100__chat.sql), and {@code user:} + 128 fits the streams' VARCHAR(255)
     * {@code stream_key}. The publishing API allows the same ({@code PublishCommand}).
     */
    public static final int MAX_USER_ID_LENGTH = 128;
    /** Longest display name ({@code name}), in characters: chat's {@code sender_name} is VARCHAR(200). */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest topic, in characters: a topic is a stream key, VARCHAR(255) ({@code V1__store.sql}). */
    public static final int MAX_TOPIC_LENGTH = 255;
    /**
     * Most topics one token may grant. Every connection keeps its principal, so this bounds
     * what an idle connection holds; real tokens grant a handful.
     */
    public static final int MAX_TOPICS = 256;

    /** @throws IllegalArgumentException when a field is over its limit (the verifier refuses such tokens first) */
    public Principal {
        Objects.requireNonNull(userId, "userId");
        topics = Set.copyOf(topics);
        String problem = problem(userId, name, topics);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why these claims cannot make a principal, or null when they can. The message is safe to show the client. */
    static String problem(String userId, String name, java.util.Collection<String> topics) {
        if (userId.length() > MAX_USER_ID_LENGTH) {
            return "sub too long: at most " + MAX_USER_ID_LENGTH + " characters";
        }
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            return "name claim too long: at most " + MAX_NAME_LENGTH + " characters";
        }
        if (topics.size() > MAX_TOPICS) {
            return "topics claim grants too many topics: at most " + MAX_TOPICS;
        }
        for (String topic : topics) {
            if (topic.length() > MAX_TOPIC_LENGTH) {
                return "topic too long: at most " + MAX_TOPIC_LENGTH + " characters";
            }
        }
        return null;
    }

    /** The user's personal stream key. */
    public String userStream() {
        return Streams.user(userId);
    }

    public boolean mayRead(String topic) {
        return topics.contains(topic);
    }
}
