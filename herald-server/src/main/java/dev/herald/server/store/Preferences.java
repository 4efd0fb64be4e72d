package dev.herald.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One user's notification preferences: which channels ({@code in_app}, {@code push}) each
 * category and type of notification may use, a global switch, and quiet hours in the user's
 * time zone. Immutable; {@link #parse} validates, {@link #toJson} writes the same shape back.
 *
 * <pre>
 * {"enabled": true,
 *  "channels": {"in_app": true, "push": true},
 *  "categories": {"marketing": {"in_app": false}},
 *  "types": {"promo_blast": {"in_app": false, "push": false}},
 *  "quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Europe/Berlin"}}
 * </pre>
 *
 * <p>Whether a notification may use a channel ({@link #allows}): a critical category always may;
 * else not when {@code enabled} is false; else the type's setting if the user gave one; else the
 * category's if the user gave one; else the category's default set by the app backend; else
 * the user's {@code channels} setting (true unless set).
 *
 * @param enabled    false: nothing but critical categories reaches the user
 * @param channels   per channel, the user's default (absent: allowed)
 * @param categories per category, per channel, the user's choice
 * @param types      per notification type, per channel, the user's choice
 * @param quietHours when push stays silent (issue "Push"), or null
 */
public record Preferences(boolean enabled, Map<String, Boolean> channels, Map<String, Map<String, Boolean>> categories,
                          Map<String, Map<String, Boolean>> types, QuietHours quietHours) {

    /** The channels a preference may name. */
    public static final Set<String> CHANNELS = Set.of("in_app", "push");
    public static final String IN_APP = "in_app";
    public static final String PUSH = "push";
    /** Most categories, and most types, one user's preferences may name. */
    public static final int MAX_ENTRIES = 100;
    /** What a user without preferences has: everything allowed. */
    public static final Preferences DEFAULT = new Preferences(true, Map.of(), Map.of(), Map.of(), null);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TYPE = Pattern.compile("[^\\p{Cntrl}]{1,128}");
    private static final Set<String> FIELDS = Set.of("enabled", "channels", "categories", "types", "quiet_hours");

    public Preferences {
        channels = Map.copyOf(channels);
        categories = Map.copyOf(categories);
        types = Map.copyOf(types);
    }

    /**
     * Quiet hours: from {@code start} to {@code end} (wrapping past midnight when end is earlier)
     * in {@code timeZone}.
     */
    public record QuietHours(LocalTime start, LocalTime end, ZoneId timeZone) {
        /** True when {@code instant} falls inside the quiet hours. */
        public boolean contains(java.time.Instant instant) {
            LocalTime t = instant.atZone(timeZone).toLocalTime();
            return start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
        }
    }

    /** A refused preferences document: {@code field} names the bad part. */
    public static final class InvalidPreferencesException extends IllegalArgumentException {
        private final String field;
        private final String reason;

        public InvalidPreferencesException(String field, String reason) {
            super(field + ": " + reason);
            this.field = field;
            this.reason = reason;
        }

        public String field() {
            return field;
        }

        public String reason() {
            return reason;
        }
    }

    /**
     * May a notification of this category (null for none) and type use {@code channel}, given the
     * app's settings of that category ({@code settings}, null when the app configured none)?
     */
    public boolean allows(String channel, String category, InboxCategory settings, String type) {
        if (settings != null && settings.critical()) {
            return true;
        }
        if (!enabled) {
            return false;
        }
        Boolean byType = setting(types, type, channel);
        if (byType != null) {
            return byType;
        }
        Boolean byCategory = setting(categories, category, channel);
        if (byCategory != null) {
            return byCategory;
        }
        if (settings != null && !settings.allows(channel)) {
            return false;
        }
        return channels.getOrDefault(channel, true);
    }

    /** {@link #allows(String, String, InboxCategory, String)} for a category the app configured (or none). */
    public boolean allows(String channel, InboxCategory settings, String type) {
        return allows(channel, settings == null ? null : settings.name(), settings, type);
    }

    private static Boolean setting(Map<String, Map<String, Boolean>> byName, String name, String channel) {
        if (name == null) {
            return null;
        }
        Map<String, Boolean> channels = byName.get(name);
        return channels == null ? null : channels.get(channel);
    }

    /** Parses and validates a document as {@code PUT /me/preferences} takes it. */
    public static Preferences parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidPreferencesException("body", "must be a JSON object of preferences");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidPreferencesException(name, "unknown field (enabled, channels, categories, types, quiet_hours)");
            }
        }
        JsonNode enabled = node.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw new InvalidPreferencesException("enabled", "must be true or false");
        }
        return new Preferences(enabled == null || enabled.isNull() || enabled.asBoolean(),
                channelMap(node.get("channels"), "channels"),
                named(node.get("categories"), "categories", InboxCategory.NAME, "1-64 characters of letters, digits and _ . -"),
                named(node.get("types"), "types", TYPE, "1-128 characters"),
                quietHours(node.get("quiet_hours")));
    }

    /** {@link #parse} of stored text; a stored document is one Herald validated. */
    public static Preferences parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new InvalidPreferencesException("body", "not valid JSON");
        }
    }

    private static Map<String, Map<String, Boolean>> named(JsonNode node, String field, Pattern name, String rule) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidPreferencesException(field, "must be an object of {\"name\": {\"in_app\": bool, \"push\": bool}}");
        }
        if (node.size() > MAX_ENTRIES) {
            throw new InvalidPreferencesException(field, "at most " + MAX_ENTRIES + " entries");
        }
        Map<String, Map<String, Boolean>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!name.matcher(e.getKey()).matches()) {
                throw new InvalidPreferencesException(field, "a name is " + rule);
            }
            out.put(e.getKey(), channelMap(e.getValue(), field + "." + e.getKey()));
        }
        return out;
    }

    private static Map<String, Boolean> channelMap(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidPreferencesException(field, "must be an object like {\"in_app\": true, \"push\": false}");
        }
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!CHANNELS.contains(e.getKey())) {
                throw new InvalidPreferencesException(field + "." + e.getKey(), "unknown channel (in_app, push)");
            }
            if (!e.getValue().isBoolean()) {
                throw new InvalidPreferencesException(field + "." + e.getKey(), "must be true or false");
            }
            out.put(e.getKey(), e.getValue().asBoolean());
        }
        return out;
    }

    private static QuietHours quietHours(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidPreferencesException("quiet_hours", "must be {\"start\": \"22:00\", \"end\": \"07:00\", \"time_zone\": \"Europe/Berlin\"} or null");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!Set.of("start", "end", "time_zone").contains(name)) {
                throw new InvalidPreferencesException("quiet_hours." + name, "unknown field (start, end, time_zone)");
            }
        }
        LocalTime start = time(node.get("start"), "quiet_hours.start");
        LocalTime end = time(node.get("end"), "quiet_hours.end");
        if (start.equals(end)) {
            throw new InvalidPreferencesException("quiet_hours.end", "must differ from start");
        }
        JsonNode zone = node.get("time_zone");
        if (zone == null || !zone.isTextual() || zone.asText().length() > 64) {
            throw new InvalidPreferencesException("quiet_hours.time_zone", "required: an IANA time zone, e.g. Europe/Berlin");
        }
        try {
            return new QuietHours(start, end, ZoneId.of(zone.asText()));
        } catch (DateTimeException e) {
            throw new InvalidPreferencesException("quiet_hours.time_zone", "not a time zone: use an IANA name, e.g. Europe/Berlin");
        }
    }

    private static LocalTime time(JsonNode node, String field) {
        if (node == null || !node.isTextual() || !node.asText().matches("\\d{2}:\\d{2}")) {
            throw new InvalidPreferencesException(field, "required: a time of day as HH:MM, e.g. 22:00");
        }
        try {
            return LocalTime.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new InvalidPreferencesException(field, "not a time of day: use HH:MM from 00:00 to 23:59");
        }
    }

    /** The document, in the shape {@link #parse} takes. */
    public ObjectNode toJson() {
        ObjectNode out = JSON.createObjectNode();
        out.put("enabled", enabled);
        ObjectNode ch = out.putObject("channels");
        channels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> ch.put(e.getKey(), e.getValue()));
        writeNamed(out.putObject("categories"), categories);
        writeNamed(out.putObject("types"), types);
        if (quietHours == null) {
            out.putNull("quiet_hours");
        } else {
            out.putObject("quiet_hours").put("start", quietHours.start().toString())
                    .put("end", quietHours.end().toString()).put("time_zone", quietHours.timeZone().getId());
        }
        return out;
    }

    private static void writeNamed(ObjectNode into, Map<String, Map<String, Boolean>> byName) {
        byName.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ObjectNode channel = into.putObject(e.getKey());
            e.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(c -> channel.put(c.getKey(), c.getValue()));
        });
    }
}
