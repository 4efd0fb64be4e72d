package dev.herald.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.TokenIssuer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.herald.server.transport.http.Route.Access.PUBLIC;

/**
 * Development-mode conveniences: anyone may mint a token for any user, so these routes exist
 * only when the node runs with {@code --dev} and an HS256 secret. Never in production.
 */
public final class DevRoutes {
    private static final Duration TTL = Duration.ofHours(12);
    private final TokenIssuer issuer;
    private final ObjectMapper json;

    public DevRoutes(String jwtSecret, ObjectMapper json) {
        this.issuer = new TokenIssuer(jwtSecret);
        this.json = json;
    }

    public List<Route> routes() {
        return List.of(Route.post("/api/v1/dev/token", PUBLIC, this::token));
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
