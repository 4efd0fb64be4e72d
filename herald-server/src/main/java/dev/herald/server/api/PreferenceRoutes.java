package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.notify.PushFields;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import dev.herald.server.store.Preferences.InvalidPreferencesException;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static dev.herald.server.transport.http.Route.Access.API_KEY;
import static dev.herald.server.transport.http.Route.Access.USER;

/**
 * Notification preferences over HTTP: a user reads and replaces their own
 * ({@code /api/v1/me/preferences}); an app backend reads and replaces anyone's
 * ({@code /api/v1/users/{id}/preferences}) and sets each category's defaults and whether users
 * may mute it ({@code /api/v1/categories}). The rules are {@link Preferences}'; publishes apply
 * them in the store's writer. Handlers run on virtual threads.
 */
public final class PreferenceRoutes {
    private static final Set<String> CATEGORY_FIELDS = Set.of("in_app", "push", "critical", "description", "push_policy", "push_delay");
    private static final int MAX_DESCRIPTION = 200;
    /** Categories an app may configure: a preferences page lists them all. */
    static final int MAX_CATEGORIES = 200;

    private final NotificationService service;
    private final ObjectMapper json;

    public PreferenceRoutes(NotificationService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/me/preferences", USER, r -> read(r.requirePrincipal().userStream())),
                Route.put("/api/v1/me/preferences", USER, r -> write(r.requirePrincipal().userStream(), r)),
                Route.get("/api/v1/users/{id}/preferences", API_KEY, r -> read(Users.stream(r))),
                Route.put("/api/v1/users/{id}/preferences", API_KEY, r -> write(Users.stream(r), r)),
                Route.get("/api/v1/categories", API_KEY, r -> ApiResponse.ok(categoriesView())),
                Route.put("/api/v1/categories/{name}", API_KEY, this::putCategory),
                Route.delete("/api/v1/categories/{name}", API_KEY, this::deleteCategory));
    }

    /** The user's preferences, with every category an app configured, so a page can draw them. */
    private ApiResponse read(String userStream) {
        ObjectNode body = json.createObjectNode();
        body.set("preferences", service.preferences(userStream).toJson());
        body.setAll(categoriesView());
        return ApiResponse.ok(body);
    }

    /** Replaces the whole document (absent parts: their defaults), then answers as {@link #read}. */
    private ApiResponse write(String userStream, ApiRequest request) {
        Preferences preferences;
        try {
            preferences = Preferences.parse(request.jsonBody(json));
        } catch (InvalidPreferencesException e) {
            throw new ValidationException(e.field(), e.reason());
        }
        service.setPreferences(userStream, preferences);
        return read(userStream);
    }

    private ObjectNode categoriesView() {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("categories");
        for (InboxCategory c : service.categories()) {
            list.add(categoryView(c));
        }
        return body;
    }

    private ObjectNode categoryView(InboxCategory c) {
        ObjectNode view = json.createObjectNode().put("name", c.name()).put("in_app", c.inApp()).put("push", c.push())
                .put("critical", c.critical()).put("description", c.description())
                .put("push_policy", c.pushDefault().policy().wireName());
        if (c.pushDefault().policy() == PushPolicy.IF_UNSEEN_AFTER) {
            view.put("push_delay", c.pushDefault().delay().toSeconds());
        }
        return view;
    }

    /**
     * {@code {"in_app": true, "push": true, "critical": false, "description": "...",
     * "push_policy": "when_offline", "push_delay": 30}}, each optional; {@code push_policy} (default
     * {@code none}) is how its publishes that do not choose are pushed.
     */
    private ApiResponse putCategory(ApiRequest request) {
        String name = category(request);
        JsonNode body = request.jsonBody(json);
        if (!body.isObject()) {
            throw new ValidationException("body", "must be a JSON object: in_app, push, critical, description");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!CATEGORY_FIELDS.contains(field)) {
                throw new ValidationException(field, "unknown field (in_app, push, critical, description, push_policy, push_delay)");
            }
        }
        JsonNode description = body.get("description");
        if (description != null && !description.isNull()
                && (!description.isTextual() || description.asText().length() > MAX_DESCRIPTION)) {
            throw new ValidationException("description", "a string of at most " + MAX_DESCRIPTION + " characters");
        }
        List<InboxCategory> existing = service.categories();
        if (existing.stream().noneMatch(c -> c.name().equals(name)) && existing.size() >= MAX_CATEGORIES) {
            throw new ValidationException("name", "at most " + MAX_CATEGORIES + " categories; delete one first");
        }
        JsonNode policyNode = body.get("push_policy");
        PushPolicy policy = policyNode == null || policyNode.isNull() ? PushPolicy.NONE
                : PushFields.policy(policyNode, "push_policy");
        PushRequest pushDefault = PushRequest.of(policy, PushFields.delay(policy, body.get("push_delay"), "push_delay"));
        InboxCategory category = new InboxCategory(name, flag(body, "in_app", true), flag(body, "push", true),
                flag(body, "critical", false), description == null || description.isNull() ? "" : description.asText(),
                pushDefault);
        service.putCategory(category);
        return ApiResponse.ok(json.createObjectNode().set("category", categoryView(category)));
    }

    private ApiResponse deleteCategory(ApiRequest request) {
        String name = category(request);
        if (!service.deleteCategory(name)) {
            throw ApiException.notFound("no category " + name);
        }
        return ApiResponse.ok(json.createObjectNode().put("name", name).put("deleted", true));
    }

    private static String category(ApiRequest request) {
        String name = request.pathParam("name");
        if (!PublishCommand.CATEGORY.matcher(name).matches()) {
            throw ApiException.badRequest("name: a category is 1-64 characters of letters, digits and _ . -");
        }
        return name;
    }

    private static boolean flag(JsonNode body, String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new ValidationException(field, "must be true or false");
        }
        return v.asBoolean();
    }
}
