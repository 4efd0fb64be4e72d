package dev.herald.server.notify;

import dev.herald.server.store.InboxCategory;
import dev.herald.server.stream.Streams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated publish request from an app backend:
 * {@code {"to": {"user": "42"} | {"users": [...]} | {"topic": "branch:7"} | {"all": true},
 * "notification": {"type": "...", ...}, "category": "orders", "tags": ["urgent"]}}} ({@code category}
 * and {@code tags} optional).
 *
 * @param streams     target streams ({@code user:42}, {@code branch:7})
 * @param allUsers    broadcast to every user Herald knows
 * @param type        the notification type
 * @param json        the notification object, compact, {@code type} first, then {@code category}
 *                    and {@code tags} when given, then the app's fields
 * @param category    the inbox category, or null
 * @param tags        the inbox tags, distinct, in the order given; empty for none
 * @param expiresAt   when it leaves the inbox (from {@code expires_at} or {@code ttl}), or null
 * @param group       the digest it joins ({@code group_key}, {@code group_window}), or null
 * @param push        its {@code push} field ({@link PushFields}); null when absent (the category decides)
 */
public record PublishCommand(List<String> streams, boolean allUsers, String type, String json,
                             String category, List<String> tags, Instant expiresAt, Group group,
                             dev.herald.server.store.PushRequest push) {

    /**
     * A digest: events with one key collapse into the user's unread item of that key while each
     * comes within {@code window} of the item's latest.
     */
    public record Group(String key, Duration window) {
        public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
        public static final Duration MAX_WINDOW = Duration.ofDays(7);
    }
    public static final int MAX_USERS = 10_000;
    /** The furthest an expiry may be: ten years. */
    public static final Duration MAX_EXPIRY = Duration.ofDays(3653);
    public static final int MAX_TAGS = 16;
    /** A category: 1-64 letters, digits, {@code _ . -} ({@link InboxCategory#NAME}). */
    public static final Pattern CATEGORY = InboxCategory.NAME;
    /** A tag: 1-64 letters, digits, {@code _ . : @ -} (no comma: the store keeps them comma-separated). */
    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.:@-]{1,64}");
    private static final Pattern GROUP_KEY = Pattern.compile("[^\\p{Cntrl}]{1,128}");

    public PublishCommand {
        streams = List.copyOf(streams);
        tags = List.copyOf(tags);
    }

    /** A command without category, tags or expiry. */
    public PublishCommand(List<String> streams, boolean allUsers, String type, String json) {
        this(streams, allUsers, type, json, null, List.of(), null, null, null);
    }
    private static final int MAX_TYPE_LENGTH = 128;
    /** A user id: 1-128 letters, digits, {@code _ . @ : -}. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.@:-]{1,128}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_.:@-]{1,128}");

    /**
     * Validates a request body.
     *
     * @throws ValidationException naming the first bad field
     */
    public static PublishCommand parse(JsonNode body, int maxNotificationBytes, ObjectMapper mapper) {
        return parse(body, maxNotificationBytes, mapper, Instant.now());
    }

    /** {@link #parse} at a given time, which a {@code ttl} counts from and {@code expires_at} must be after. */
    public static PublishCommand parse(JsonNode body, int maxNotificationBytes, ObjectMapper mapper, Instant now) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        JsonNode to = body.get("to");
        if (to == null || !to.isObject()) {
            throw new ValidationException("to", "required: {\"user\": id}, {\"users\": [ids]}, {\"topic\": \"prefix:id\"} or {\"all\": true}");
        }
        List<String> streams = new ArrayList<>();
        boolean all = false;
        int targets = 0;
        if (to.has("user")) {
            targets++;
            streams.add(Streams.user(userId(to.get("user"), "to.user")));
        }
        if (to.has("users")) {
            targets++;
            JsonNode users = to.get("users");
            if (!users.isArray() || users.isEmpty()) {
                throw new ValidationException("to.users", "must be a non-empty array of user ids");
            }
            if (users.size() > MAX_USERS) {
                throw new ValidationException("to.users", "at most " + MAX_USERS + " users per request");
            }
            Set<String> unique = new LinkedHashSet<>();
            for (int i = 0; i < users.size(); i++) {
                unique.add(Streams.user(userId(users.get(i), "to.users[" + i + "]")));
            }
            streams.addAll(unique);
        }
        if (to.has("topic")) {
            targets++;
            JsonNode topic = to.get("topic");
            if (!topic.isTextual() || !TOPIC.matcher(topic.asText()).matches()) {
                throw new ValidationException("to.topic", "must look like prefix:id, e.g. branch:7");
            }
            if (Streams.isUser(topic.asText())) {
                throw new ValidationException("to.topic", "user streams are addressed with {\"user\": id}");
            }
            streams.add(topic.asText());
        }
        if (to.has("all")) {
            targets++;
            if (!to.get("all").isBoolean() || !to.get("all").asBoolean()) {
                throw new ValidationException("to.all", "must be true when present");
            }
            all = true;
        }
        if (targets != 1) {
            throw new ValidationException("to", "give exactly one of user, users, topic, all");
        }
        for (Iterator<String> it = to.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!Set.of("user", "users", "topic", "all").contains(name)) {
                throw new ValidationException("to." + name, "unknown target");
            }
        }

        JsonNode notification = body.get("notification");
        if (notification == null || !notification.isObject()) {
            throw new ValidationException("notification", "required: a JSON object with a \"type\"");
        }
        JsonNode type = notification.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new ValidationException("notification.type", "required: a non-empty string");
        }
        String typeText = type.asText();
        if (typeText.length() > MAX_TYPE_LENGTH) {
            throw new ValidationException("notification.type", "at most " + MAX_TYPE_LENGTH + " characters");
        }
        if (NotificationFrames.RESERVED_TYPES.contains(typeText)) {
            throw new ValidationException("notification.type", "'" + typeText + "' is reserved for Herald's own frames");
        }
        for (String reserved : NotificationFrames.RESERVED_FIELDS) {
            if (notification.has(reserved)) {
                throw new ValidationException("notification." + reserved, "is set by Herald and may not be given");
            }
        }
        String category = category(body.get("category"), notification);
        List<String> tags = tags(body.get("tags"), notification);
        Instant expiresAt = expiry(body.get("expires_at"), body.get("ttl"), now);
        Group group = group(body.get("group_key"), body.get("group_window"));
        dev.herald.server.store.PushRequest push = PushFields.parse(body.get("push"), mapper);
        // type first, then Herald's category and tags, then the app's fields in their order:
        // clients reading frames see type first.
        ObjectNode ordered = mapper.createObjectNode();
        ordered.put("type", typeText);
        if (category != null) {
            ordered.put("category", category);
        }
        if (!tags.isEmpty()) {
            tags.forEach(ordered.putArray("tags")::add);
        }
        if (expiresAt != null) {
            ordered.put("expires_at", DateTimeFormatter.ISO_INSTANT.format(expiresAt));
        }
        if (group != null) {
            ordered.put("group_key", group.key());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = notification.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("type")) {
                ordered.set(field.getKey(), field.getValue());
            }
        }
        String json;
        try {
            json = mapper.writeValueAsString(ordered);
        } catch (Exception e) {
            throw new ValidationException("notification", "cannot be serialized: " + e.getMessage());
        }
        if (json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxNotificationBytes) {
            throw new ValidationException("notification", "larger than " + maxNotificationBytes + " bytes");
        }
        return new PublishCommand(List.copyOf(streams), all, typeText, json, category, tags, expiresAt, group, push);
    }

    /** {@code group_key} (1-128 characters, no control characters) and {@code group_window} (seconds). */
    private static Group group(JsonNode key, JsonNode window) {
        boolean hasWindow = window != null && !window.isNull();
        if (key == null || key.isNull()) {
            if (hasWindow) {
                throw new ValidationException("group_window", "only with a group_key");
            }
            return null;
        }
        if (!key.isTextual() || !GROUP_KEY.matcher(key.asText()).matches()) {
            throw new ValidationException("group_key", "1-128 characters, no control characters");
        }
        Duration w = Group.DEFAULT_WINDOW;
        if (hasWindow) {
            if (!window.isIntegralNumber() || window.asLong() < 1 || window.asLong() > Group.MAX_WINDOW.toSeconds()) {
                throw new ValidationException("group_window", "whole seconds, 1 to " + Group.MAX_WINDOW.toSeconds());
            }
            w = Duration.ofSeconds(window.asLong());
        }
        return new Group(key.asText(), w);
    }

    /**
     * The publish's expiry: {@code expires_at} (an ISO-8601 instant) or {@code ttl} (seconds from
     * {@code now}), not both; in the future and at most {@link #MAX_EXPIRY} away; milliseconds.
     */
    private static Instant expiry(JsonNode at, JsonNode ttl, Instant now) {
        boolean hasAt = at != null && !at.isNull();
        boolean hasTtl = ttl != null && !ttl.isNull();
        if (hasAt && hasTtl) {
            throw new ValidationException("ttl", "give expires_at or ttl, not both");
        }
        Instant expiresAt;
        String field;
        if (hasAt) {
            field = "expires_at";
            if (!at.isTextual()) {
                throw new ValidationException(field, "an ISO-8601 instant, e.g. 2026-12-31T23:00:00Z");
            }
            try {
                expiresAt = Instant.parse(at.asText());
            } catch (DateTimeParseException e) {
                throw new ValidationException(field, "an ISO-8601 instant, e.g. 2026-12-31T23:00:00Z");
            }
        } else if (hasTtl) {
            field = "ttl";
            if (!ttl.canConvertToLong() || !ttl.isIntegralNumber() || ttl.asLong() < 1) {
                throw new ValidationException(field, "a whole number of seconds, at least 1");
            }
            if (ttl.asLong() > MAX_EXPIRY.toSeconds()) {
                throw new ValidationException(field, "at most " + MAX_EXPIRY.toSeconds() + " seconds (ten years)");
            }
            expiresAt = now.plusSeconds(ttl.asLong());
        } else {
            return null;
        }
        if (!expiresAt.isAfter(now)) {
            throw new ValidationException(field, "must be in the future");
        }
        if (expiresAt.isAfter(now.plus(MAX_EXPIRY))) {
            throw new ValidationException(field, "at most ten years ahead");
        }
        return expiresAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The publish's {@code category}, or null; the notification may not carry one of its own then. */
    private static String category(JsonNode node, JsonNode notification) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !CATEGORY.matcher(node.asText()).matches()) {
            throw new ValidationException("category", "1-64 characters of letters, digits and _ . -");
        }
        if (notification.has("category")) {
            throw new ValidationException("notification.category",
                    "given beside the publish's category; Herald puts the publish's category into the notification");
        }
        return node.asText();
    }

    /** The publish's {@code tags}, distinct, in order; empty when absent. */
    private static List<String> tags(JsonNode node, JsonNode notification) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ValidationException("tags", "must be an array of tags");
        }
        if (node.size() > MAX_TAGS) {
            throw new ValidationException("tags", "at most " + MAX_TAGS + " tags");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode tag = node.get(i);
            if (!tag.isTextual() || !TAG.matcher(tag.asText()).matches()) {
                throw new ValidationException("tags[" + i + "]", "1-64 characters of letters, digits and _ . : @ -");
            }
            unique.add(tag.asText());
        }
        if (!unique.isEmpty() && notification.has("tags")) {
            throw new ValidationException("notification.tags",
                    "given beside the publish's tags; Herald puts the publish's tags into the notification");
        }
        return List.copyOf(unique);
    }

    private static String userId(JsonNode node, String field) {
        String id;
        if (node != null && node.isTextual()) {
            id = node.asText();
        } else if (node != null && node.isIntegralNumber()) {
            id = node.asText();
        } else {
            throw new ValidationException(field, "must be a user id (string or integer)");
        }
        if (!USER_ID.matcher(id).matches()) {
            throw new ValidationException(field, "user ids are 1-128 characters of letters, digits and _ . @ : -");
        }
        return id;
    }
}
