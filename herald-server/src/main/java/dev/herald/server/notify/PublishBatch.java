package dev.herald.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A validated batch of publishes from an app backend: {@code {"publishes": [{"to": ...,
 * "notification": ..., "idempotency_key": "..."}, ...]}}, each item validated like a single
 * publish ({@link PublishCommand}), at most {@link #MAX_BATCH} of them and
 * {@link PublishCommand#MAX_USERS} target streams in all. The three lists are parallel, one
 * entry per item, in order; an item without a key has null for its key and its hash.
 *
 * @param commands the publishes
 * @param keys     each one's idempotency key, or null
 * @param hashes   each one's request fingerprint ({@link Idempotency#fingerprint} of the item's
 *                 JSON, key included), or null when it has no key
 */
public record PublishBatch(List<PublishCommand> commands, List<String> keys, List<String> hashes) {
    /** Publishes in one batch. */
    public static final int MAX_BATCH = 1000;
    private static final Set<String> ITEM_FIELDS = Set.of("to", "notification", "idempotency_key", "category", "tags",
            "expires_at", "ttl", "group_key", "group_window", "push");

    /**
     * Validates a batch request body; every item is checked before the batch is returned.
     *
     * @throws ValidationException naming the first bad field, items as {@code publishes[3].to.user}
     */
    public static PublishBatch parse(JsonNode body, int maxNotificationBytes, ObjectMapper mapper) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object: {\"publishes\": [...]}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("publishes")) {
                throw new ValidationException(name, "unknown field; a batch is {\"publishes\": [...]}");
            }
        }
        JsonNode items = body.get("publishes");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw new ValidationException("publishes", "required: a non-empty array of publishes");
        }
        if (items.size() > MAX_BATCH) {
            throw new ValidationException("publishes", "at most " + MAX_BATCH + " publishes per batch");
        }
        List<PublishCommand> commands = new ArrayList<>(items.size());
        List<String> keys = new ArrayList<>(items.size());
        List<String> hashes = new ArrayList<>(items.size());
        Set<String> seenKeys = new HashSet<>();
        int streams = 0;
        for (int i = 0; i < items.size(); i++) {
            String at = "publishes[" + i + "]";
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                throw new ValidationException(at, "must be a JSON object with \"to\" and \"notification\"");
            }
            for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!ITEM_FIELDS.contains(name)) {
                    throw new ValidationException(at + "." + name, "unknown field (to, notification, category, tags, expires_at, ttl, group_key, group_window, push, idempotency_key)");
                }
            }
            String key = null;
            JsonNode keyNode = item.get("idempotency_key");
            if (keyNode != null && !keyNode.isNull()) {
                key = keyNode.isTextual() ? keyNode.asText().strip() : "";
                if (!Idempotency.isKey(key)) {
                    throw new ValidationException(at + ".idempotency_key",
                            "must be a string of 1-" + Idempotency.MAX_KEY_LENGTH + " characters");
                }
                if (!seenKeys.add(key)) {
                    throw new ValidationException(at + ".idempotency_key", "used twice in this batch");
                }
            }
            PublishCommand command;
            try {
                command = PublishCommand.parse(item, maxNotificationBytes, mapper);
            } catch (ValidationException e) {
                throw e.within(at);
            }
            streams += command.streams().size();
            if (streams > PublishCommand.MAX_USERS) {
                throw new ValidationException("publishes", "at most " + PublishCommand.MAX_USERS
                        + " target users and topics in one batch (counted up to " + at + ")");
            }
            commands.add(command);
            keys.add(key);
            hashes.add(key == null ? null : Idempotency.fingerprint(item.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return new PublishBatch(List.copyOf(commands), Collections.unmodifiableList(keys),
                Collections.unmodifiableList(hashes));
    }
}
