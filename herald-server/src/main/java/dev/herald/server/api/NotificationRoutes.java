package dev.herald.server.api;

import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import dev.herald.server.transport.ApiException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.notify.Idempotency;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishBatch;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.Streams;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;

import static dev.herald.server.transport.http.Route.Access.API_KEY;

/**
 * The notification API's publishing, for app backends (the user's inbox is {@link InboxRoutes}). Handlers are thin:
 * they read the request, leave the validation of publish and batch bodies to
 * {@link PublishCommand} and {@link PublishBatch}, call {@link NotificationService}, and shape
 * the answer. The single publish, the API's hot path, runs on the event loop
 * ({@link Route#postOnLoop}); the other routes on virtual threads.
 */
public final class NotificationRoutes {
    private final NotificationService service;
    private final ObjectMapper json;
    private final int maxNotificationBytes;
    private final IntConsumer publishedCounter;
    private final Executor blocking;
    /** The furthest ahead a publish may be scheduled. */
    static final Duration MAX_SCHEDULE = Duration.ofDays(366);

    /**
     * @param publishedCounter told how many notifications each new publish stored (metrics)
     * @param blocking         runs what must not run on an event loop (storing a scheduled publish)
     */
    public NotificationRoutes(NotificationService service, ObjectMapper json, int maxNotificationBytes,
                              IntConsumer publishedCounter, Executor blocking) {
        this.service = service;
        this.json = json;
        this.maxNotificationBytes = maxNotificationBytes;
        this.publishedCounter = publishedCounter;
        this.blocking = blocking;
    }

    public List<Route> routes() {
        return List.of(
                Route.postOnLoop("/api/v1/notifications", API_KEY, this::publish),
                Route.post("/api/v1/notifications/batch", API_KEY, this::publishBatch),
                Route.delete("/api/v1/notifications/scheduled/{key}", API_KEY, this::cancelScheduled));
    }

    /**
     * One publish, served on the event loop: the body is checked and the publish queued to the
     * store's writer here, with no hand-off to a virtual thread; the answer is built back on the
     * loop once the writer committed it.
     */
    private CompletionStage<ApiResponse> publish(ApiRequest request, ScheduledExecutorService loop) {
        String key = request.headers().get("Idempotency-Key");
        if (key != null) {
            key = key.strip();
            if (!Idempotency.isKey(key)) {
                throw ApiException.badRequest("Idempotency-Key: must be 1-" + Idempotency.MAX_KEY_LENGTH + " characters");
            }
        }
        JsonNode body = request.jsonBody(json);
        if (body.isObject() && body.has("deliver_at")) {
            return schedule((ObjectNode) body, key, request.body());
        }
        PublishCommand command = PublishCommand.parse(body, maxNotificationBytes, json);
        return service.publishAsync(command, key, key == null ? null : Idempotency.fingerprint(request.body()), loop)
                .thenApplyAsync(result -> {
                    if (!result.replayed()) {
                        publishedCounter.accept(result.notifications().size());
                    }
                    return ApiResponse.raw(HttpResponseStatus.CREATED, "application/json", publishAnswer(command, result));
                }, loop);
    }

    /**
     * A publish with {@code deliver_at}: validated now as it will be published then (a
     * {@code ttl} counts from then, an {@code expires_at} must be after it), kept until it is due,
     * answered 202. Without an Idempotency-Key Herald makes one up and answers it: it cancels.
     */
    private CompletionStage<ApiResponse> schedule(ObjectNode body, String givenKey, byte[] raw) {
        Instant now = Instant.now();
        Instant deliverAt;
        JsonNode at = body.get("deliver_at");
        try {
            if (!at.isTextual()) {
                throw new DateTimeParseException("not a string", at.toString(), 0);
            }
            deliverAt = Instant.parse(at.asText()).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new ValidationException("deliver_at", "an ISO-8601 instant, e.g. 2026-12-24T08:00:00Z");
        }
        if (!deliverAt.isAfter(now)) {
            throw new ValidationException("deliver_at", "must be in the future; publish without it to send now");
        }
        if (deliverAt.isAfter(now.plus(MAX_SCHEDULE))) {
            throw new ValidationException("deliver_at", "at most " + MAX_SCHEDULE.toDays() + " days ahead");
        }
        ObjectNode publish = body.deepCopy();
        publish.remove("deliver_at");
        PublishCommand.parse(publish, maxNotificationBytes, json, deliverAt); // refuses now what would fail then
        String key = givenKey != null ? givenKey : "sched-" + UUID.randomUUID();
        String hash = Idempotency.fingerprint(raw);
        String stored = publish.toString();
        return CompletableFuture.supplyAsync(() -> {
            boolean fresh = service.schedule(key, hash, deliverAt, stored);
            ObjectNode answer = json.createObjectNode().put("scheduled", true).put("replayed", !fresh)
                    .put("idempotency_key", key).put("deliver_at", DateTimeFormatter.ISO_INSTANT.format(deliverAt));
            return ApiResponse.status(HttpResponseStatus.ACCEPTED, answer);
        }, blocking);
    }

    private ApiResponse cancelScheduled(ApiRequest request) {
        String key = request.pathParam("key");
        if (!service.cancelScheduled(key)) {
            throw ApiException.notFound("nothing scheduled under " + key + " (never, cancelled, or already published)");
        }
        return ApiResponse.ok(json.createObjectNode().put("idempotency_key", key).put("cancelled", true));
    }

    /** {@link #publishView} written straight to bytes: the same JSON without building a tree, per publish. */
    byte[] publishAnswer(PublishCommand command, PublishResult result) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("count", result.notifications().size());
            g.writeBooleanField("replayed", result.replayed());
            if (command.allUsers()) {
                g.writeNumberField("muted_count", result.muted().size());
            } else {
                g.writeArrayFieldStart("muted");
                for (String stream : result.muted()) {
                    g.writeString(Streams.userId(stream));
                }
                g.writeEndArray();
                g.writeArrayFieldStart("ids");
                for (StoredNotification n : result.notifications()) {
                    g.writeString(n.id());
                }
                g.writeEndArray();
                g.writeArrayFieldStart("notifications");
                for (StoredNotification n : result.notifications()) {
                    g.writeStartObject();
                    g.writeStringField("id", n.id());
                    g.writeStringField("stream", n.stream());
                    g.writeNumberField("seq", n.seq());
                    g.writeStringField("created_at", DateTimeFormatter.ISO_INSTANT.format(n.createdAt()));
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a publish answer", e);
        }
        return out.toByteArray();
    }

    /**
     * Many publishes in one request and one transaction ({@link PublishBatch}): every item is
     * validated before anything is stored; then all are committed, or none.
     */
    private ApiResponse publishBatch(ApiRequest request) {
        if (request.headers().contains("Idempotency-Key")) {
            throw ApiException.badRequest("Idempotency-Key: not used on a batch; give each publish an \"idempotency_key\"");
        }
        PublishBatch batch = PublishBatch.parse(request.jsonBody(json), maxNotificationBytes, json);
        List<PublishResult> results = service.publishAll(batch.commands(), batch.keys(), batch.hashes());
        ObjectNode answer = json.createObjectNode();
        ArrayNode views = json.createArrayNode();
        int total = 0;
        for (int i = 0; i < results.size(); i++) {
            PublishResult result = results.get(i);
            total += result.notifications().size();
            if (!result.replayed()) {
                publishedCounter.accept(result.notifications().size());
            }
            views.add(publishView(batch.commands().get(i), result));
        }
        answer.put("count", total);
        answer.set("results", views);
        return ApiResponse.created(answer);
    }

    /** The answer to one publish: how many notifications, whether replayed, and each one's place. */
    ObjectNode publishView(PublishCommand command, PublishResult result) {
        ObjectNode body = json.createObjectNode();
        body.put("count", result.notifications().size());
        body.put("replayed", result.replayed());
        if (command.allUsers()) {
            // One copy per known user: the count says enough, a list could be huge.
            return body.put("muted_count", result.muted().size());
        }
        ArrayNode muted = body.putArray("muted");
        result.muted().forEach(stream -> muted.add(Streams.userId(stream)));
        ArrayNode ids = body.putArray("ids");
        ArrayNode items = body.putArray("notifications");
        for (StoredNotification n : result.notifications()) {
            ids.add(n.id());
            items.addObject()
                    .put("id", n.id())
                    .put("stream", n.stream())
                    .put("seq", n.seq())
                    .put("created_at", DateTimeFormatter.ISO_INSTANT.format(n.createdAt()));
        }
        return body;
    }
}
