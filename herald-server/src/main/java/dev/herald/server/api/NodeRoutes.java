package dev.herald.server.api;

import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import dev.herald.server.metrics.HeraldMetrics;
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
    private final NodeHealth health;
    private final HeraldMetrics metrics;
    private final byte[] openApi;

    public NodeRoutes(String nodeId, NodeHealth health, HeraldMetrics metrics) {
        this.nodeId = nodeId;
        this.health = health;
        this.metrics = metrics;
        this.openApi = resource("/openapi.json");
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/healthz", PUBLIC, r -> liveness()),
                Route.get("/readyz", PUBLIC, r -> readiness()),
                Route.get("/metrics", PUBLIC, r -> ApiResponse.text("text/plain; version=0.0.4; charset=utf-8", metrics.scrape())),
                Route.get("/api/v1/openapi.json", PUBLIC, r -> ApiResponse.raw(HttpResponseStatus.OK, "application/json", openApi)));
    }

    /** Alive while every event loop answers and memory can be allocated: a supervisor restarts a node that is not. */
    private ApiResponse liveness() {
        NodeHealth.Report report = health.liveness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.live() ? "ok" : "failing");
        putLive(body, report);
        body.put("node", nodeId);
        return ApiResponse.status(report.live() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /** Ready only when the node is alive and both the store and the broker answer: a node that cannot deliver says so. */
    private ApiResponse readiness() {
        NodeHealth.Report report = health.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", report.ready());
        body.put("store", Boolean.TRUE.equals(report.storeOk()) ? "ok" : "unreachable");
        body.put("broker", Boolean.TRUE.equals(report.brokerOk()) ? "ok" : "disconnected");
        putLive(body, report);
        body.put("node", nodeId);
        return ApiResponse.status(report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    private static void putLive(Map<String, Object> body, NodeHealth.Report report) {
        body.put("event_loops", report.wedgedLoops().isEmpty() ? "ok" : "not answering: " + String.join(", ", report.wedgedLoops()));
        body.put("memory", report.memoryProblem() == null ? "ok" : report.memoryProblem());
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
