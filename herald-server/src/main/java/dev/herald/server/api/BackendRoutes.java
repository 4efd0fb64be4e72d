package dev.herald.server.api;

import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.SessionRegistry;

import java.util.List;
import java.util.Map;

import static dev.herald.server.transport.http.Route.Access.API_KEY;

/** What app backends may do to users' connections. */
public final class BackendRoutes {
    private final SessionRegistry sessions;

    public BackendRoutes(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    public List<Route> routes() {
        return List.of(Route.post("/api/v1/users/{id}/disconnect", API_KEY, r -> {
            int closed = sessions.closeUser(r.pathParam("id"), CloseReason.KICKED);
            return ApiResponse.ok(Map.of("user_id", r.pathParam("id"), "connections_closed", closed));
        }));
    }
}
