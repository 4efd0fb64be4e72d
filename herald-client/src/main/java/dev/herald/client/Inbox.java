package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * The user's notification inbox over Herald's HTTP API (api.md "The user's inbox" and
 * "Preferences"), with the client's token (a 401 asks a token provider once more).
 *
 * <p>Thread-safe; every method blocks the calling thread (never call it on Android's main
 * thread) and throws {@link HeraldException} ({@code NOT_FOUND} for an id that is not the
 * user's, {@code VALIDATION} with {@code field()}, ...). Each answer's counts also reach the
 * {@link InboxListener}s when they changed. The user's other devices learn of every change live.
 */
public final class Inbox {
    private static final List<String> ACTIONS = java.util.Arrays.asList("seen", "read", "unread", "archive", "unarchive", "delete");

    private final ClientRuntime rt;
    private final InboxState state;

    Inbox(ClientRuntime rt, InboxState state) {
        this.rt = rt;
        this.state = state;
    }

    /** The first page of the default feed, 20 newest. */
    public InboxPage list() {
        return list(InboxFilter.none(), 20, null);
    }

    /** A page of up to {@code limit} (1-100) matches of {@code filter}, older than {@code cursor} (null: the newest). */
    public InboxPage list(InboxFilter filter, int limit, String cursor) {
        if (limit < 1 || limit > 100) {
            throw new IllegalArgumentException("limit: 1-100, was " + limit);
        }
        HttpUrl.Builder url = rt.url("api/v1/me/notifications").addQueryParameter("limit", Integer.toString(limit));
        if (cursor != null) {
            url.addQueryParameter("cursor", cursor);
        }
        filter.addTo(url);
        JsonNode page = rt.userCall("GET", url.build(), null);
        List<Notification> items = new ArrayList<>();
        page.path("notifications").forEach(n -> items.add(Notification.of(n)));
        return new InboxPage(Collections.unmodifiableList(items), page.path("next_cursor").asText(null), state.update(page, "unread_count"));
    }

    public InboxCounts unreadCount() {
        return state.update(rt.userCall("GET", rt.url("api/v1/me/notifications/unread-count").build(), null), "count");
    }

    public FilterCounts count(InboxFilter filter) {
        HttpUrl.Builder url = rt.url("api/v1/me/notifications/counts");
        filter.addTo(url);
        return counts(rt.userCall("GET", url.build(), null));
    }

    /** The counts of up to 20 named filters in one call (an app's tabs), in the order given. */
    public Map<String, FilterCounts> counts(Map<String, InboxFilter> filters) {
        ObjectNode body = Json.object();
        ObjectNode wire = body.putObject("filters");
        filters.forEach((name, f) -> wire.set(name, f.toJson()));
        JsonNode answer = rt.userCall("POST", rt.url("api/v1/me/notifications/counts").build(), body).path("counts");
        Map<String, FilterCounts> out = new LinkedHashMap<>();
        answer.properties().forEach(e -> out.put(e.getKey(), counts(e.getValue())));
        return Collections.unmodifiableMap(out);
    }

    public InboxActionResult markSeen(String id) {
        return one(id, "seen");
    }

    public InboxActionResult markRead(String id) {
        return one(id, "read");
    }

    public InboxActionResult markUnread(String id) {
        return one(id, "unread");
    }

    public InboxActionResult archive(String id) {
        return one(id, "archive");
    }

    public InboxActionResult unarchive(String id) {
        return one(id, "unarchive");
    }

    public InboxActionResult delete(String id) {
        HttpUrl url = rt.url("api/v1/me/notifications").addPathSegment(requireId(id)).build();
        return result(rt.userCall("DELETE", url, null));
    }

    /** Marks every notification read. */
    public InboxCounts readAll() {
        return state.update(rt.userCall("POST", rt.url("api/v1/me/notifications/read-all").build(), null), "unread_count");
    }

    /** One action ({@code seen}, {@code read}, {@code unread}, {@code archive}, {@code unarchive}, {@code delete}) on up to 1000 ids, all or none. */
    public InboxActionResult bulk(String action, Collection<String> ids) {
        ObjectNode body = bulkBody(action);
        ArrayNode array = body.putArray("ids");
        ids.forEach(array::add);
        return result(rt.userCall("POST", rt.url("api/v1/me/notifications/bulk").build(), body));
    }

    /** One action on every notification matching {@code filter} when the call starts. */
    public InboxActionResult bulk(String action, InboxFilter filter) {
        ObjectNode body = bulkBody(action);
        body.set("filter", filter.toJson());
        return result(rt.userCall("POST", rt.url("api/v1/me/notifications/bulk").build(), body));
    }

    /** {@code {"preferences": {...}, "categories": [...]}}: the user's document and the app's categories. */
    public JsonNode preferences() {
        return rt.userCall("GET", rt.url("api/v1/me/preferences").build(), null);
    }

    /** Replaces the user's whole preferences document (a Map, a JsonNode or any object Jackson writes); answers as {@link #preferences()}. */
    public JsonNode setPreferences(Object document) {
        if (document == null) {
            throw new IllegalArgumentException("document: required");
        }
        return rt.userCall("PUT", rt.url("api/v1/me/preferences").build(), Json.tree(document));
    }

    private InboxActionResult one(String id, String action) {
        HttpUrl url = rt.url("api/v1/me/notifications").addPathSegment(requireId(id)).addPathSegment(action).build();
        return result(rt.userCall("POST", url, null));
    }

    private InboxActionResult result(JsonNode answer) {
        JsonNode changed = answer.path("changed");
        long n = changed.isBoolean() ? (changed.asBoolean() ? 1 : 0) : changed.asLong();
        return new InboxActionResult(n, state.update(answer, "unread_count"));
    }

    private static ObjectNode bulkBody(String action) {
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("action: one of " + ACTIONS + ", was " + action);
        }
        return Json.object().put("action", action);
    }

    private static FilterCounts counts(JsonNode c) {
        return new FilterCounts(c.path("total").asLong(), c.path("unread").asLong(), c.path("unseen").asLong());
    }

    private static String requireId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id: required");
        }
        return id;
    }
}
