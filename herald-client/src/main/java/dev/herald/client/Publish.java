package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/**
 * One publish for {@link HeraldAdmin}: a target (a user, users, a topic or everyone), the app's
 * notification object, and optionally an {@code Idempotency-Key}, a category, tags and any
 * other publish field of api.md ({@code ttl}, {@code expires_at}, {@code group_key},
 * {@code push}, {@code deliver_at}). Immutable once built; the body is written once, so a retry
 * sends the very same bytes (Herald binds a key to the body's hash).
 *
 * <pre>{@code
 * Publish p = Publish.toUser("42")
 *     .notification("order_created", Map.of("order_id", 1001, "message", "Order #1001 received"))
 *     .idempotencyKey("order-1001-created")
 *     .build();
 * }</pre>
 */
public final class Publish {
    private final ObjectNode body;
    private final String idempotencyKey;

    private Publish(ObjectNode body, String idempotencyKey) {
        this.body = body;
        this.idempotencyKey = idempotencyKey;
    }

    public static Builder toUser(String userId) {
        return new Builder(Json.object().put("user", Args.notBlank("userId", userId)));
    }

    public static Builder toUsers(Collection<String> userIds) {
        if (userIds == null || userIds.isEmpty()) {
            throw new IllegalArgumentException("userIds: at least one");
        }
        ObjectNode to = Json.object();
        ArrayNode users = to.putArray("users");
        userIds.forEach(u -> users.add(Args.notBlank("userIds[]", u)));
        return new Builder(to);
    }

    /** A topic stream, {@code prefix:id} ({@code branch:7}): one notification every follower receives. */
    public static Builder toTopic(String topic) {
        if (topic == null || topic.indexOf(':') <= 0 || topic.startsWith("user:")) {
            throw new IllegalArgumentException("topic: prefix:id (not user:...), was " + topic);
        }
        return new Builder(Json.object().put("topic", topic));
    }

    /** One copy per user Herald knows. */
    public static Builder toEveryone() {
        return new Builder(Json.object().put("all", true));
    }

    /** The caller's key, or null (HeraldAdmin then makes one up per call). */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The JSON body as sent (a copy). */
    public JsonNode body() {
        return body.deepCopy();
    }

    ObjectNode bodyNode() {
        return body;
    }

    /** Builds a {@link Publish}; not thread-safe. */
    public static final class Builder {
        private final ObjectNode to;
        private ObjectNode notification;
        private String idempotencyKey;
        private final ObjectNode extra = Json.object();

        private Builder(ObjectNode to) {
            this.to = to;
        }

        /** The app's object: {@code type} and the app's fields, delivered at top level. */
        public Builder notification(String type, Map<String, ?> fields) {
            ObjectNode n = Json.object().put("type", Args.notBlank("type", type));
            if (fields != null) {
                fields.forEach((k, v) -> {
                    if (!k.equals("type")) {
                        n.set(k, Json.tree(v));
                    }
                });
            }
            this.notification = n;
            return this;
        }

        /** The app's object as a Map, JsonNode or any object Jackson writes; it needs a {@code type}. */
        public Builder notification(Object object) {
            JsonNode n = object == null ? null : Json.tree(object);
            if (n == null || !n.isObject() || !n.path("type").isTextual()) {
                throw new IllegalArgumentException("notification: an object with a string type");
            }
            this.notification = (ObjectNode) n.deepCopy();
            return this;
        }

        /** 1-255 characters: a retry with the same key and body stores nothing new. */
        public Builder idempotencyKey(String key) {
            if (key == null || key.trim().isEmpty() || key.trim().length() > 255) {
                throw new IllegalArgumentException("idempotencyKey: 1-255 characters");
            }
            this.idempotencyKey = key.trim();
            return this;
        }

        public Builder category(String category) {
            extra.put("category", Args.notBlank("category", category));
            return this;
        }

        public Builder tags(String... tags) {
            ArrayNode a = extra.putArray("tags");
            for (String t : tags) {
                a.add(Args.notBlank("tags[]", t));
            }
            return this;
        }

        /** Any other publish field of api.md, e.g. {@code field("ttl", 3600)} or {@code field("push", true)}. */
        public Builder field(String name, Object value) {
            if (name == null || name.equals("to") || name.equals("notification")) {
                throw new IllegalArgumentException("name: a publish field other than to and notification, was " + name);
            }
            extra.set(name, Json.tree(value));
            return this;
        }

        public Publish build() {
            if (notification == null) {
                throw new IllegalArgumentException("notification: required");
            }
            ObjectNode body = Json.object();
            body.set("to", to.deepCopy());
            body.set("notification", notification.deepCopy());
            body.setAll(extra.deepCopy());
            return new Publish(body, idempotencyKey);
        }
    }
}
