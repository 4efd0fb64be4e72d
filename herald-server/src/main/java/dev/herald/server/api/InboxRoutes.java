package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.InboxFilter.Archived;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.herald.server.transport.http.Route.Access.USER;

/**
 * The user's inbox over HTTP: the feed with its filters, counts, and the state changes (seen,
 * read, unread, archive, unarchive, delete) one at a time, by ids or by filter. Every route acts
 * on the caller's own stream {@code user:<sub>} only. Handlers read the request, leave the rules to
 * {@link InboxRequests} and {@link NotificationService}, and shape the answer; they run on
 * virtual threads.
 */
public final class InboxRoutes {
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    /** Herald's ids are UUIDs; anything much longer is not one of them. */
    private static final int MAX_ID_LENGTH = 64;
    private static final Pattern COUNT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final List<InboxAction> ONE_BY_ONE = List.of(InboxAction.SEEN, InboxAction.READ,
            InboxAction.UNREAD, InboxAction.ARCHIVE, InboxAction.UNARCHIVE);

    private final NotificationService service;
    private final ObjectMapper json;

    public InboxRoutes(NotificationService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>(List.of(
                Route.get("/api/v1/me/notifications", USER, this::list),
                Route.get("/api/v1/me/notifications/unread-count", USER, this::unreadCount),
                Route.get("/api/v1/me/notifications/counts", USER, this::countOne),
                Route.post("/api/v1/me/notifications/counts", USER, this::countMany),
                Route.post("/api/v1/me/notifications/read-all", USER, this::readAll),
                Route.post("/api/v1/me/notifications/bulk", USER, this::bulk),
                Route.delete("/api/v1/me/notifications/{id}", USER, r -> one(r, InboxAction.DELETE))));
        for (InboxAction action : ONE_BY_ONE) {
            routes.add(Route.post("/api/v1/me/notifications/{id}/" + action.wireName(), USER, r -> one(r, action)));
        }
        return List.copyOf(routes);
    }

    private ApiResponse list(ApiRequest request) {
        String stream = request.requirePrincipal().userStream();
        service.knowUser(stream); // a user who only polls still receives broadcasts
        int limit = intParam(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        long before = Long.MAX_VALUE;
        String cursor = request.queryParam("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor: not a cursor this API returned");
            }
            if (before < 1) {
                throw ApiException.badRequest("cursor: not a cursor this API returned");
            }
        }
        InboxFilter filter = InboxRequests.fromQuery(request::queryParam, Archived.ACTIVE);
        NotificationPage page = service.list(stream, new NotificationQuery(before, limit, filter));
        ObjectNode body = json.createObjectNode();
        ArrayNode items = body.putArray("notifications");
        for (StoredNotification n : page.notifications()) {
            items.add(view(n));
        }
        body.put("next_cursor", page.nextBeforeSeq() == null ? null : page.nextBeforeSeq().toString());
        counts(body, service.state(stream));
        return ApiResponse.ok(body);
    }

    private ApiResponse unreadCount(ApiRequest request) {
        String stream = request.requirePrincipal().userStream();
        service.knowUser(stream);
        StreamState state = service.state(stream);
        return ApiResponse.ok(Map.of("count", state.unread(), "unseen_count", state.unseen()));
    }

    /** The counts of one filter given as query parameters (none: the default feed). */
    private ApiResponse countOne(ApiRequest request) {
        String stream = request.requirePrincipal().userStream();
        service.knowUser(stream);
        InboxFilter filter = InboxRequests.fromQuery(request::queryParam, Archived.ACTIVE);
        return ApiResponse.ok(countsView(service.counts(stream, List.of(filter)).getFirst()));
    }

    /** {@code {"filters": {"name": {conditions}, ...}}}: the counts of each, for an app's tabs in one call. */
    private ApiResponse countMany(ApiRequest request) {
        String stream = request.requirePrincipal().userStream();
        JsonNode body = request.jsonBody(json);
        JsonNode filters = body.get("filters");
        if (!body.isObject() || filters == null || !filters.isObject() || filters.isEmpty()) {
            throw new ValidationException("filters", "required: an object of named filters, e.g. "
                    + "{\"all\": {}, \"unread\": {\"read\": false}}");
        }
        if (filters.size() > NotificationService.MAX_FILTERS) {
            throw new ValidationException("filters", "at most " + NotificationService.MAX_FILTERS + " filters");
        }
        Map<String, InboxFilter> named = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = filters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!COUNT_NAME.matcher(e.getKey()).matches()) {
                throw new ValidationException("filters", "a filter's name is 1-64 characters of letters, digits and _ . -");
            }
            named.put(e.getKey(), InboxRequests.fromJson(e.getValue(), "filters." + e.getKey(), Archived.ACTIVE));
        }
        service.knowUser(stream);
        List<InboxCounts> counts = service.counts(stream, List.copyOf(named.values()));
        ObjectNode answer = json.createObjectNode();
        ObjectNode out = answer.putObject("counts");
        int i = 0;
        for (String name : named.keySet()) {
            out.set(name, countsView(counts.get(i++)));
        }
        return ApiResponse.ok(answer);
    }

    private ApiResponse readAll(ApiRequest request) {
        StreamState state = service.markAllRead(request.requirePrincipal().userStream());
        return ApiResponse.ok(counts(json.createObjectNode(), state));
    }

    /** One notification: 404 when the caller has no notification with that id. */
    private ApiResponse one(ApiRequest request, InboxAction action) {
        String id = request.pathParam("id");
        if (id.length() > MAX_ID_LENGTH) {
            throw ApiException.notFound("no notification " + id.substring(0, MAX_ID_LENGTH) + "...");
        }
        InboxChange change = service.apply(request.requirePrincipal().userStream(), action, List.of(id));
        if (change.matched().isEmpty()) {
            throw ApiException.notFound("no notification " + id);
        }
        ObjectNode body = json.createObjectNode().put("id", id).put("action", action.wireName())
                .put("changed", !change.changed().isEmpty());
        switch (action) {
            case READ -> body.put("read", true); // the answer's field before the other actions existed
            case DELETE -> body.put("deleted", true);
            default -> { }
        }
        return ApiResponse.ok(counts(body, change.state()));
    }

    /**
     * {@code {"action": "archive", "ids": [...]}} (at most 1000, all or none) or
     * {@code {"action": "archive", "filter": {...}}} (every match that exists now, in batches).
     */
    private ApiResponse bulk(ApiRequest request) {
        String stream = request.requirePrincipal().userStream();
        JsonNode body = request.jsonBody(json);
        if (!body.isObject()) {
            throw new ValidationException("body", "must be a JSON object with \"action\" and \"ids\" or \"filter\"");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!List.of("action", "ids", "filter").contains(name)) {
                throw new ValidationException(name, "unknown field (action, ids, filter)");
            }
        }
        JsonNode actionNode = body.get("action");
        InboxAction action = actionNode != null && actionNode.isTextual()
                ? InboxAction.fromWire(actionNode.asText()).orElse(null) : null;
        if (action == null) {
            throw new ValidationException("action", "one of seen, read, unread, archive, unarchive, delete");
        }
        JsonNode ids = body.get("ids");
        JsonNode filter = body.get("filter");
        if ((ids == null) == (filter == null)) {
            throw new ValidationException("ids", "give exactly one of ids and filter");
        }
        ObjectNode answer = json.createObjectNode().put("action", action.wireName());
        if (ids != null) {
            InboxChange change = service.apply(stream, action, ids(ids));
            answer.put("changed", change.changed().size());
            change.changed().forEach(answer.putArray("ids")::add);
            return ApiResponse.ok(counts(answer, change.state()));
        }
        Archived dflt = action == InboxAction.UNARCHIVE ? Archived.ARCHIVED : Archived.ACTIVE;
        NotificationService.BulkChange change = service.applyToMatching(stream, action,
                InboxRequests.fromJson(filter, "filter", dflt));
        answer.put("changed", change.changed());
        return ApiResponse.ok(counts(answer, change.state()));
    }

    private static List<String> ids(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw new ValidationException("ids", "must be a non-empty array of notification ids");
        }
        if (node.size() > NotificationService.MAX_IDS) {
            throw new ValidationException("ids", "at most " + NotificationService.MAX_IDS + " ids; use a filter for more");
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode id = node.get(i);
            if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_LENGTH) {
                throw new ValidationException("ids[" + i + "]", "must be a notification id");
            }
            out.add(id.asText());
        }
        return out;
    }

    private static ObjectNode counts(ObjectNode body, StreamState state) {
        return body.put("unread_count", state.unread()).put("unseen_count", state.unseen());
    }

    private ObjectNode countsView(InboxCounts c) {
        return json.createObjectNode().put("total", c.total()).put("unread", c.unread()).put("unseen", c.unseen());
    }

    /** The app's object with Herald's fields, as the feed shows it. */
    private ObjectNode view(StoredNotification n) {
        ObjectNode node;
        try {
            node = (ObjectNode) json.readTree(n.json());
        } catch (Exception e) {
            throw new IllegalStateException("stored notification " + n.id() + " is not JSON", e);
        }
        node.put("id", n.id());
        node.put("seq", n.seq());
        node.put("created_at", DateTimeFormatter.ISO_INSTANT.format(n.createdAt()));
        node.put("read_at", time(n.readAt()));
        node.put("seen_at", time(n.seenAt()));
        node.put("archived_at", time(n.archivedAt()));
        return node;
    }

    private static String time(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    private static int intParam(ApiRequest request, String name, int dflt, int min, int max) {
        String raw = request.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw ApiException.badRequest(name + ": must be " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + ": must be an integer " + min + ".." + max);
        }
    }
}
