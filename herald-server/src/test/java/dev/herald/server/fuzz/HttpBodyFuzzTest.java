package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.Principal;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.api.InboxRoutes;
import dev.herald.server.api.NotificationRoutes;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.transport.http.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP notification API's parsing of untrusted requests, through the real route handlers
 * over a store that keeps nothing: the publish body ({@code POST /api/v1/notifications}), the
 * batch body ({@code POST /api/v1/notifications/batch}), the inbox's bodies (bulk actions and
 * counts, {@code POST /api/v1/me/notifications/bulk} and {@code .../counts}) and its query
 * parameters (cursor, limit and every filter on {@code GET /api/v1/me/notifications}). Contract: an answer, or {@link ApiException} with a 4xx
 * status, or {@link ValidationException} (both answered 400 by the router); anything else would
 * be a 500.
 */
class HttpBodyFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_NOTIFICATION_BYTES = 16 * 1024;
    private static final Map<String, Route> ROUTES = routes();
    private static final Principal USER = new Principal("u1", "User 1", Set.of(), null);

    @FuzzTest(maxDuration = "2m")
    void publishBodiesAreAnsweredOrRefusedAsBadRequests(byte[] body) {
        call("POST /api/v1/notifications", Map.of(), body, null);
    }

    @FuzzTest(maxDuration = "2m")
    void batchBodiesAreAnsweredOrRefusedAsBadRequests(byte[] body) {
        call("POST /api/v1/notifications/batch", Map.of(), body, null);
    }

    @FuzzTest(maxDuration = "2m")
    void inboxBodiesAreAnsweredOrRefusedAsBadRequests(FuzzedDataProvider data) {
        String route = data.consumeBoolean() ? "POST /api/v1/me/notifications/bulk" : "POST /api/v1/me/notifications/counts";
        call(route, Map.of(), data.consumeRemainingAsBytes(), USER);
    }

    @FuzzTest(maxDuration = "2m")
    void inboxCursorsAndFiltersAreAnsweredOrRefusedAsBadRequests(FuzzedDataProvider data) {
        Map<String, List<String>> query = new HashMap<>();
        for (String name : List.of("cursor", "limit", "unread", "read", "seen", "archived", "category", "tag", "type",
                "created_after", "created_before")) {
            if (data.consumeBoolean()) {
                query.put(name, List.of(data.consumeString(40)));
            }
        }
        call("GET /api/v1/me/notifications", query, new byte[0], USER);
    }

    private static void call(String route, Map<String, List<String>> query, byte[] body, Principal principal) {
        Route r = ROUTES.get(route);
        ApiRequest request = new ApiRequest(r.method(), r.pattern(), Map.of(), query, new DefaultHttpHeaders(), body,
                principal);
        ApiResponse answer;
        try {
            answer = r.handler() != null ? r.handler().handle(request)
                    : r.onLoop().handle(request, io.netty.util.concurrent.ImmediateEventExecutor.INSTANCE).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof ApiException || e.getCause() instanceof ValidationException) {
                throw new AssertionError("a refusal came after the store, not before", e);
            }
            throw e;
        } catch (ApiException e) {
            assertThat(e.status().code()).as(e.getMessage()).isBetween(400, 499);
            return;
        } catch (ValidationException expected) {
            return;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("checked exception out of " + route, e);
        }
        assertThat(answer.status().code()).isBetween(200, 299);
    }

    private static Map<String, Route> routes() {
        InProcessBroker broker = new InProcessBroker();
        broker.start(event -> { });
        NotificationService service = new NotificationService(new InertStore(), broker, Runnable::run);
        Map<String, Route> routes = new HashMap<>();
        List<Route> all = new java.util.ArrayList<>(new NotificationRoutes(service, JSON, MAX_NOTIFICATION_BYTES, n -> { }, Runnable::run).routes());
        all.addAll(new InboxRoutes(service, JSON).routes());
        for (Route r : all) {
            routes.put(r.method() + " " + r.pattern(), r);
        }
        assertThat(routes).containsKeys("POST /api/v1/notifications", "POST /api/v1/notifications/batch",
                "GET /api/v1/me/notifications", "POST /api/v1/me/notifications/bulk", "POST /api/v1/me/notifications/counts");
        return routes;
    }
}
