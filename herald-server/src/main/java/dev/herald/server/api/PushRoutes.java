package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.push.PushAttempt;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushReceipts;
import dev.herald.server.push.PushService;
import dev.herald.server.push.PushStore;
import dev.herald.server.push.PushTemplate;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;

import static dev.herald.server.transport.http.Route.Access.API_KEY;
import static dev.herald.server.transport.http.Route.Access.PUBLIC;
import static dev.herald.server.transport.http.Route.Access.USER;

/**
 * Push over HTTP: a user registers, lists and removes their own devices
 * ({@code /api/v1/me/devices}); an app backend does the same for any user and reads a device's
 * attempts ({@code /api/v1/users/{id}/devices}) and sets how each type's pushes read
 * ({@code /api/v1/push/templates}); anyone reads which platforms this node pushes to
 * and the Web Push public key ({@code GET /api/v1/push/config}); a device whose push was opened
 * sends its receipt ({@code POST /api/v1/push/opened}), which is its only credential. Handlers run
 * on virtual threads.
 */
public final class PushRoutes {
    private static final Pattern DEVICE_ID = Pattern.compile("d_[A-Za-z0-9_-]{1,30}");

    private final PushService push;
    private final ObjectMapper json;

    public PushRoutes(PushService push, ObjectMapper json) {
        this.push = push;
        this.json = json;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/v1/me/devices", USER, r -> register(r.requirePrincipal().userStream(), r)),
                Route.get("/api/v1/me/devices", USER, r -> list(r.requirePrincipal().userStream())),
                Route.delete("/api/v1/me/devices/{device}", USER, r -> remove(r.requirePrincipal().userStream(), r)),
                Route.post("/api/v1/users/{id}/devices", API_KEY, r -> register(Users.stream(r), r)),
                Route.get("/api/v1/users/{id}/devices", API_KEY, r -> list(Users.stream(r))),
                Route.delete("/api/v1/users/{id}/devices/{device}", API_KEY, r -> remove(Users.stream(r), r)),
                Route.get("/api/v1/users/{id}/devices/{device}/attempts", API_KEY, this::attempts),
                Route.get("/api/v1/push/templates", API_KEY, r -> templates()),
                Route.put("/api/v1/push/templates/{type}", API_KEY, this::putTemplate),
                Route.delete("/api/v1/push/templates/{type}", API_KEY, this::deleteTemplate),
                Route.get("/api/v1/push/config", PUBLIC, r -> config()),
                Route.post("/api/v1/push/opened", PUBLIC, this::opened));
    }

    private ApiResponse register(String userStream, ApiRequest request) {
        PushStore.Registered registered = push.register(userStream, request.jsonBody(json));
        ObjectNode body = json.createObjectNode();
        body.set("device", view(registered.device()));
        return registered.created() ? ApiResponse.created(body) : ApiResponse.ok(body);
    }

    private ApiResponse list(String userStream) {
        ObjectNode body = json.createObjectNode();
        ArrayNode devices = body.putArray("devices");
        push.devices(userStream).forEach(d -> devices.add(view(d)));
        return ApiResponse.ok(body);
    }

    private ApiResponse remove(String userStream, ApiRequest request) {
        String id = deviceId(request);
        if (!push.remove(userStream, id)) {
            throw ApiException.notFound("no device " + id);
        }
        return ApiResponse.ok(json.createObjectNode().put("id", id).put("deleted", true));
    }

    private ApiResponse attempts(ApiRequest request) {
        String id = deviceId(request);
        List<PushAttempt> attempts = push.attempts(Users.stream(request), id)
                .orElseThrow(() -> ApiException.notFound("no device " + id + " of this user, and no history of one"));
        ObjectNode body = json.createObjectNode().put("device_id", id);
        ArrayNode list = body.putArray("attempts");
        for (PushAttempt a : attempts) {
            list.addObject().put("at", DateTimeFormatter.ISO_INSTANT.format(a.at())).put("notification_id", a.notificationId())
                    .put("outcome", a.outcome()).put("status", a.status()).put("reason", a.reason()).put("attempt", a.attempt());
        }
        return ApiResponse.ok(body);
    }

    private ApiResponse templates() {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("templates");
        push.templates().all().forEach(t -> list.add(view(t)));
        return ApiResponse.ok(body);
    }

    private ApiResponse putTemplate(ApiRequest request) {
        PushTemplate template = PushTemplate.parse(request.pathParam("type"), request.jsonBody(json));
        push.templates().put(template);
        return ApiResponse.ok(json.createObjectNode().set("template", view(template)));
    }

    private ApiResponse deleteTemplate(ApiRequest request) {
        String type = PushTemplate.checkType(request.pathParam("type"));
        if (!push.templates().delete(type)) {
            throw ApiException.notFound("no push template for type " + type);
        }
        return ApiResponse.ok(json.createObjectNode().put("type", type).put("deleted", true));
    }

    private ObjectNode view(PushTemplate t) {
        ObjectNode out = json.createObjectNode().put("type", t.type());
        if (t.title() != null) {
            out.put("title", t.title());
        }
        if (t.body() != null) {
            out.put("body", t.body());
        }
        if (t.icon() != null) {
            out.put("icon", t.icon());
        }
        if (t.url() != null) {
            out.put("url", t.url());
        }
        return out;
    }

    private ApiResponse config() {
        ObjectNode body = json.createObjectNode();
        push.platforms().forEach(body.putArray("platforms")::add);
        push.webPushPublicKey().ifPresent(key -> body.putObject("webpush").put("public_key", key));
        return ApiResponse.ok(body);
    }

    /** {@code {"receipt": "..."}}: the notification it names is marked read. */
    private ApiResponse opened(ApiRequest request) {
        JsonNode body = request.jsonBody(json);
        JsonNode receipt = body.isObject() ? body.get("receipt") : null;
        if (receipt == null || !receipt.isTextual() || receipt.asText().length() > PushReceipts.MAX_LENGTH) {
            throw ApiException.badRequest("receipt: required, the receipt string of the push (at most "
                    + PushReceipts.MAX_LENGTH + " characters)");
        }
        if (!push.opened(receipt.asText())) {
            throw ApiException.forbidden("receipt: not valid, or expired");
        }
        return ApiResponse.status(HttpResponseStatus.OK, json.createObjectNode().put("read", true));
    }

    private static String deviceId(ApiRequest request) {
        String id = request.pathParam("device");
        if (!DEVICE_ID.matcher(id).matches()) {
            throw ApiException.badRequest("device: a device id looks like d_ and up to 30 letters, digits, _ or -");
        }
        return id;
    }

    private ObjectNode view(PushDevice d) {
        ObjectNode out = json.createObjectNode().put("id", d.id()).put("platform", d.platform().wireName());
        if (d.platform() == PushPlatform.WEBPUSH) {
            out.put("endpoint", d.address());
        } else {
            out.put("token", d.address());
        }
        if (d.platform() == PushPlatform.APNS) {
            out.put("topic", d.apnsTopic()).put("environment", d.apnsSandbox() ? "development" : "production");
        }
        return out.put("created_at", DateTimeFormatter.ISO_INSTANT.format(d.createdAt()));
    }
}
