package dev.herald.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import okhttp3.HttpUrl;

/**
 * The inbox's filter conditions (api.md "Filters"); all given must hold. Immutable: each
 * {@code with}-style method returns a new filter. {@link #none()} is the default feed (active
 * notifications).
 */
public final class InboxFilter {
    private static final InboxFilter NONE = new InboxFilter(null, null, null, null, null, null, null, null);

    private final Boolean read;
    private final Boolean seen;
    private final String archived;
    private final String category;
    private final String tag;
    private final String type;
    private final Instant createdAfter;
    private final Instant createdBefore;

    private InboxFilter(Boolean read, Boolean seen, String archived, String category, String tag, String type,
                        Instant createdAfter, Instant createdBefore) {
        this.read = read;
        this.seen = seen;
        this.archived = archived;
        this.category = category;
        this.tag = tag;
        this.type = type;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
    }

    public static InboxFilter none() {
        return NONE;
    }

    /** Read only ({@code true}) or unread only ({@code false}). */
    public InboxFilter read(boolean value) {
        return new InboxFilter(value, seen, archived, category, tag, type, createdAfter, createdBefore);
    }

    public InboxFilter seen(boolean value) {
        return new InboxFilter(read, value, archived, category, tag, type, createdAfter, createdBefore);
    }

    /** Archived only ({@code true}), active only ({@code false}, the default). */
    public InboxFilter archived(boolean value) {
        return new InboxFilter(read, seen, Boolean.toString(value), category, tag, type, createdAfter, createdBefore);
    }

    /** Active and archived. */
    public InboxFilter archivedOrNot() {
        return new InboxFilter(read, seen, "any", category, tag, type, createdAfter, createdBefore);
    }

    public InboxFilter category(String value) {
        return new InboxFilter(read, seen, archived, required("category", value), tag, type, createdAfter, createdBefore);
    }

    public InboxFilter tag(String value) {
        return new InboxFilter(read, seen, archived, category, required("tag", value), type, createdAfter, createdBefore);
    }

    /** A type, or a prefix ending in {@code *} ({@code order_*}). */
    public InboxFilter type(String value) {
        TypePatterns.validate("type", value);
        return new InboxFilter(read, seen, archived, category, tag, value, createdAfter, createdBefore);
    }

    public InboxFilter createdAfter(Instant value) {
        return new InboxFilter(read, seen, archived, category, tag, type, value, createdBefore);
    }

    public InboxFilter createdBefore(Instant value) {
        return new InboxFilter(read, seen, archived, category, tag, type, createdAfter, value);
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + ": required");
        }
        return value;
    }

    void addTo(HttpUrl.Builder url) {
        put(url, "read", read);
        put(url, "seen", seen);
        put(url, "archived", archived);
        put(url, "category", category);
        put(url, "tag", tag);
        put(url, "type", type);
        put(url, "created_after", createdAfter);
        put(url, "created_before", createdBefore);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        if (read != null) {
            o.put("read", read);
        }
        if (seen != null) {
            o.put("seen", seen);
        }
        putText(o, "archived", archived);
        putText(o, "category", category);
        putText(o, "tag", tag);
        putText(o, "type", type);
        putText(o, "created_after", createdAfter);
        putText(o, "created_before", createdBefore);
        return o;
    }

    private static void put(HttpUrl.Builder url, String name, Object value) {
        if (value != null) {
            url.addQueryParameter(name, value.toString());
        }
    }

    private static void putText(ObjectNode o, String name, Object value) {
        if (value != null) {
            o.put(name, value.toString());
        }
    }
}
