package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.InboxFilter.Archived;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Parses the inbox's filters, from a query string ({@code GET /me/notifications?category=orders})
 * or a JSON object ({@code {"category": "orders", "read": true}}), with the same names and rules:
 * {@code archived} ({@code false} (the default), {@code true}, {@code any}), {@code read},
 * {@code seen} ({@code true}/{@code false}), {@code category}, {@code tag}, {@code type} (exact or a
 * prefix ending in {@code *}), {@code created_after}, {@code created_before} (ISO-8601 instants).
 * An unknown name or a bad value is a {@link ValidationException} naming it. Stateless.
 */
final class InboxRequests {
    static final Set<String> FILTER_FIELDS = Set.of("archived", "read", "seen", "category", "tag", "type",
            "created_after", "created_before");
    private static final int MAX_TYPE_LENGTH = 128;

    private InboxRequests() {
    }

    /**
     * A filter from query parameters ({@code param} gives a parameter's first value or null).
     * {@code unread=true}, the older spelling of {@code read=false}, is still taken.
     */
    static InboxFilter fromQuery(Function<String, String> param, Archived defaultArchived) {
        Boolean read = bool(param.apply("read"), "read");
        Boolean unread = bool(param.apply("unread"), "unread");
        // unread=false never filtered anything: it keeps meaning "read or not"; unread=true is read=false.
        if (Boolean.TRUE.equals(unread)) {
            if (Boolean.TRUE.equals(read)) {
                throw new ValidationException("unread", "contradicts read=true; give one of them");
            }
            read = Boolean.FALSE;
        }
        return new InboxFilter(archived(param.apply("archived"), defaultArchived), read,
                bool(param.apply("seen"), "seen"), category(param.apply("category"), "category"),
                tag(param.apply("tag"), "tag"), type(param.apply("type"), "type"),
                instant(param.apply("created_after"), "created_after"),
                instant(param.apply("created_before"), "created_before"));
    }

    /** A filter from a JSON object; {@code at} names it in errors (e.g. {@code filter}). */
    static InboxFilter fromJson(JsonNode node, String at, Archived defaultArchived) {
        if (node == null || !node.isObject()) {
            throw new ValidationException(at, "must be a JSON object of conditions, e.g. {\"category\": \"orders\"}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FILTER_FIELDS.contains(name)) {
                throw new ValidationException(at + "." + name, "unknown condition; known: " + String.join(", ",
                        FILTER_FIELDS.stream().sorted().toList()));
            }
        }
        Map<String, String> text = new java.util.HashMap<>();
        for (String name : FILTER_FIELDS) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual() && !value.isBoolean()) {
                throw new ValidationException(at + "." + name, "must be a string or a boolean");
            }
            text.put(name, value.asText());
        }
        try {
            return fromQuery(text::get, defaultArchived);
        } catch (ValidationException e) {
            throw e.within(at);
        }
    }

    private static Archived archived(String value, Archived dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        return switch (value) {
            case "false" -> Archived.ACTIVE;
            case "true" -> Archived.ARCHIVED;
            case "any" -> Archived.ANY;
            default -> throw new ValidationException("archived", "must be false, true or any");
        };
    }

    private static Boolean bool(String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new ValidationException(name, "must be true or false");
        };
    }

    private static String category(String value, String name) {
        if (value == null) {
            return null;
        }
        if (!PublishCommand.CATEGORY.matcher(value).matches()) {
            throw new ValidationException(name, "1-64 characters of letters, digits and _ . -");
        }
        return value;
    }

    private static String tag(String value, String name) {
        if (value == null) {
            return null;
        }
        if (!PublishCommand.TAG.matcher(value).matches()) {
            throw new ValidationException(name, "1-64 characters of letters, digits and _ . : @ -");
        }
        return value;
    }

    private static String type(String value, String name) {
        if (value == null) {
            return null;
        }
        int star = value.indexOf('*');
        if (value.isBlank() || value.length() > MAX_TYPE_LENGTH || star >= 0 && star != value.length() - 1) {
            throw new ValidationException(name, "a type, or a prefix ending in * (e.g. order_*)");
        }
        return value;
    }

    private static Instant instant(String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ValidationException(name, "an ISO-8601 instant, e.g. 2026-12-07T10:00:00Z");
        }
    }
}
