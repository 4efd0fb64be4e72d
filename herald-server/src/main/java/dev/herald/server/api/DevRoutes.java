package dev.herald.server.api;

import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import dev.herald.server.transport.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TokenIssuer;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.chat.presence.PresenceView;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.StoredNotification;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

import static dev.herald.server.transport.http.Route.Access.PUBLIC;
import static dev.herald.server.transport.http.Route.Access.USER;

/**
 * Development-mode conveniences: anyone may mint a token for any user, and a signed-in user may
 * publish to themselves (the demo's test form), so these routes exist only when the node runs
 * with {@code --dev} and an HS256 secret. Never in production.
 */
public final class DevRoutes {
    private static final Duration TTL = Duration.ofHours(12);
    private final TokenIssuer issuer;
    private final ObjectMapper json;
    private final NotificationService notifications;
    private final int maxNotificationBytes;
    private final PresenceTracker presence;

    public DevRoutes(String jwtSecret, ObjectMapper json, NotificationService notifications, int maxNotificationBytes,
                     PresenceTracker presence) {
        this.issuer = new TokenIssuer(jwtSecret);
        this.json = json;
        this.notifications = notifications;
        this.maxNotificationBytes = maxNotificationBytes;
        this.presence = presence;
    }

    public List<Route> routes() {
        return List.of(Route.post("/api/v1/dev/token", PUBLIC, this::token),
                Route.post("/api/v1/dev/notify-me", USER, this::notifyMe),
                Route.get("/api/v1/dev/presence", USER, this::presence));
    }

    /**
     * {@code GET /api/v1/dev/presence?users=a,b} with a user's JWT: the presence the backend route
     * {@code GET /api/v1/presence} gives, so the demo page can draw its first presence dots
     * (the chat socket then sends the changes). A real app asks its own backend.
     */
    private ApiResponse presence(ApiRequest request) {
        request.requirePrincipal();
        String raw = request.queryParam("users");
        Set<String> ids = new LinkedHashSet<>();
        for (String id : raw == null ? new String[0] : raw.split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        if (ids.isEmpty() || ids.size() > 200) {
            throw ApiException.badRequest("users: 1-200 comma-separated user ids");
        }
        List<Map<String, Object>> users = new ArrayList<>();
        for (PresenceView p : presence.presence(ids)) {
            users.add(Map.of("user_id", p.userId(), "online", p.online(), "status", p.status(),
                    "last_seen", p.lastSeen() == null ? "" : p.lastSeen().toString()));
        }
        return ApiResponse.ok(Map.of("users", users));
    }

    /**
     * {@code POST /api/v1/dev/notify-me[?category=C&tags=a,b&push=P]} with the user's JWT and a
     * notification object as the body: publishes it to the caller's own stream, validated exactly
     * like the backend publish. {@code push} is the publish's {@code push}: {@code true},
     * {@code false}, or a policy name (its defaults), so the demo can show a desktop notification.
     */
    private ApiResponse notifyMe(ApiRequest request) {
        Principal principal = request.requirePrincipal();
        ObjectNode body = json.createObjectNode();
        body.putObject("to").put("user", principal.userId());
        String category = request.queryParam("category");
        if (category != null && !category.isEmpty()) {
            body.put("category", category);
        }
        String tags = request.queryParam("tags");
        if (tags != null && !tags.isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode list = body.putArray("tags");
            for (String tag : tags.split(",", PublishCommand.MAX_TAGS + 2)) {
                list.add(tag);
            }
        }
        String push = request.queryParam("push");
        if (push != null) {
            switch (push) {
                case "true", "false" -> body.put("push", Boolean.parseBoolean(push));
                case "always", "when_offline", "if_unseen_after" -> body.putObject("push").put("policy", push);
                default -> throw new ValidationException("push", "true, false or a push policy (always, when_offline, if_unseen_after)");
            }
        }
        body.set("notification", request.jsonBody(json));
        PublishCommand command = PublishCommand.parse(body, maxNotificationBytes, json);
        PublishResult result = notifications.publish(command, null, null);
        StoredNotification stored = result.notifications().getFirst();
        return ApiResponse.created(Map.of("id", stored.id(), "seq", stored.seq(), "created_at", stored.createdAt().toString()));
    }

    private ApiResponse token(ApiRequest request) {
        JsonNode body = request.jsonBody(json);
        JsonNode user = body.get("user_id");
        if (user == null || !(user.isTextual() || user.isIntegralNumber()) || user.asText().isBlank()) {
            throw ApiException.badRequest("user_id: required, a user id");
        }
        String name = body.path("name").isTextual() ? body.get("name").asText() : null;
        List<String> topics = new ArrayList<>();
        if (body.has("topics")) {
            if (!body.get("topics").isArray()) {
                throw ApiException.badRequest("topics: must be an array of strings like branch:7");
            }
            body.get("topics").forEach(t -> topics.add(t.asText()));
        }
        String token = issuer.issue(user.asText(), name, topics, TTL);
        return ApiResponse.ok(Map.of("token", token, "expires_at", Instant.now().plus(TTL).toString()));
    }
}
