package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HeraldAdmin's retry rules against a scripted HTTP server on loopback (the JDK's): the answers
 * a real node gives only under a store outage (503) are played here on purpose.
 */
class HeraldAdminRetryTest {
    private record Seen(String method, String path, String idempotencyKey, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Answers {@code failures} times 503 (with Retry-After: 0), then {@code finalStatus} with {@code finalBody}. */
    private HeraldAdmin serve(int failures, int finalStatus, String finalBody) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Idempotency-Key"), new String(body, StandardCharsets.UTF_8)));
            boolean fail = calls.incrementAndGet() <= failures;
            byte[] answer = (fail ? "{\"error\":\"store unavailable; retry later\"}" : finalBody).getBytes(StandardCharsets.UTF_8);
            if (fail) {
                exchange.getResponseHeaders().add("Retry-After", "0");
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(fail ? 503 : finalStatus, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return HeraldAdmin.builder().url("http://127.0.0.1:" + server.getAddress().getPort()).apiKey("k-0123456789abcdef")
                .maxAttempts(3).backoff(attempt -> Duration.ofMillis(10)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aPublishIsRetriedOn503WithTheSameKeyAndTheSameBodyBytes() throws IOException {
        try (HeraldAdmin admin = serve(2, 201, "{\"count\":1,\"replayed\":false,\"muted\":[],\"ids\":[\"n-1\"]}")) {
            PublishResult r = admin.publish(Publish.toUser("42").notification("order_created", Map.of("order_id", 1001)).build());
            assertThat(r.ids()).containsExactly("n-1");
            assertThat(seen).hasSize(3);
            assertThat(seen).extracting(Seen::idempotencyKey).containsOnly(r.idempotencyKey()).doesNotContainNull();
            assertThat(r.idempotencyKey()).startsWith("hc-");
            assertThat(seen).extracting(Seen::body).containsOnly(seen.get(0).body());
        }
    }

    @Test
    void theCallersKeyIsKeptAndRetriesAreBounded() throws IOException {
        try (HeraldAdmin admin = serve(10, 201, "{}")) {
            assertThatThrownBy(() -> admin.publish(Publish.toUser("42").notification("x", null).idempotencyKey("order-1-created").build()))
                    .isInstanceOfSatisfying(HeraldException.class, e -> {
                        assertThat(e.kind()).isEqualTo(HeraldException.Kind.UNAVAILABLE);
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.retryAfter()).isEqualTo(Duration.ZERO);
                    });
            assertThat(seen).hasSize(3).extracting(Seen::idempotencyKey).containsOnly("order-1-created");
        }
    }

    @Test
    void creatingAConversationIsNotRetried() throws IOException {
        try (HeraldAdmin admin = serve(1, 201, "{\"conversation\":{\"id\":1}}")) {
            assertThatThrownBy(() -> admin.createConversation("group", List.of("a", "b"), null))
                    .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.kind()).isEqualTo(HeraldException.Kind.UNAVAILABLE));
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    void aRefusalIsTypedWithItsFieldAndNotRetried() throws IOException {
        try (HeraldAdmin admin = serve(0, 400, "{\"error\":\"to.user: not a user id\",\"field\":\"to.user\"}")) {
            assertThatThrownBy(() -> admin.publish(Publish.toUser("a b").notification("x", null).build()))
                    .isInstanceOfSatisfying(HeraldException.class, e -> {
                        assertThat(e.kind()).isEqualTo(HeraldException.Kind.VALIDATION);
                        assertThat(e.field()).isEqualTo("to.user");
                        assertThat(e.getMessage()).contains("to.user: not a user id");
                    });
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    void aBatchGivesEveryItemAKeySoRetryingItStoresNothingTwice() throws IOException {
        try (HeraldAdmin admin = serve(1, 201, "{\"count\":2,\"results\":[{\"count\":1,\"ids\":[\"a\"]},{\"count\":1,\"ids\":[\"b\"]}]}")) {
            List<PublishResult> results = admin.publishBatch(List.of(
                    Publish.toUser("1").notification("x", null).idempotencyKey("mine").build(),
                    Publish.toTopic("branch:7").notification("y", null).build()));
            assertThat(results).extracting(PublishResult::ids).containsExactly(List.of("a"), List.of("b"));
            assertThat(results.get(0).idempotencyKey()).isEqualTo("mine");
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0).body()).isEqualTo(seen.get(1).body()).contains("\"idempotency_key\":\"mine\"")
                    .contains("\"idempotency_key\":\"" + results.get(1).idempotencyKey() + "\"");
            assertThat(seen.get(0).idempotencyKey()).isNull(); // the batch route refuses the header
        }
    }
}
