package dev.herald.server.transport.http;

import dev.herald.server.broker.Broker;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.store.Store;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.herald.server.transport.http.Route.Access.PUBLIC;

/** Health, readiness, metrics and the OpenAPI document: what operators and tooling read. */
public final class NodeRoutes {
    private final String nodeId;
    private final Store store;
    private final Broker broker;
    private final HeraldMetrics metrics;
    private final byte[] openApi;

    public NodeRoutes(String nodeId, Store store, Broker broker, HeraldMetrics metrics) {
        this.nodeId = nodeId;
        this.store = store;
        this.broker = broker;
        this.metrics = metrics;
        this.openApi = resource("/openapi.json");
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/healthz", PUBLIC, r -> ApiResponse.ok(Map.of("status", "ok", "node", nodeId))),
                Route.get("/readyz", PUBLIC, r -> readiness()),
                Route.get("/metrics", PUBLIC, r -> ApiResponse.text("text/plain; version=0.0.4; charset=utf-8", metrics.scrape())),
                Route.get("/api/v1/openapi.json", PUBLIC, r -> ApiResponse.raw(HttpResponseStatus.OK, "application/json", openApi)));
    }

    /** Ready only when both the store and the broker answer: a node that cannot deliver says so. */
    private ApiResponse readiness() {
        boolean storeOk = store.isReachable();
        boolean brokerOk = broker.isHealthy();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", storeOk && brokerOk);
        body.put("store", storeOk ? "ok" : "unreachable");
        body.put("broker", brokerOk ? "ok" : "disconnected");
        body.put("node", nodeId);
        return ApiResponse.status(storeOk && brokerOk ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    private static byte[] resource(String name) {
        try (InputStream in = NodeRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
