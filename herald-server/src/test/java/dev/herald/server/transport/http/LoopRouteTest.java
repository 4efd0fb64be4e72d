package dev.herald.server.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.ApiKeyAuthenticator;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Routes served on the event loop ({@link Route#postOnLoop}, the single publish): authenticated
 * before the handler runs, answered when the handler's stage completes, failures answered as a
 * blocking route's are, and counted until answered so a shutdown waits for them.
 */
class LoopRouteTest {
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        blocking.shutdownNow();
    }

    private TransportContext context() {
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        return new TransportContext(config, json, null, new ApiKeyAuthenticator(List.of(TestServer.API_KEY)), null, null,
                null, new HeraldMetrics(), blocking, new OriginPolicy(config.corsOrigins()));
    }

    private static FullHttpRequest publish(String apiKey) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/p",
                Unpooled.copiedBuffer("{\"a\":1}", StandardCharsets.UTF_8));
        if (apiKey != null) {
            r.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
        }
        return r;
    }

    private EmbeddedChannel channel(LoopRequestDrain drain, Route.LoopHandler handler) {
        return new EmbeddedChannel(new HttpRequestHandler(context(), List.of(),
                List.of(Route.postOnLoop("/p", Route.Access.API_KEY, handler)), drain));
    }

    private static String body(FullHttpResponse r) {
        return r.content().toString(StandardCharsets.UTF_8);
    }

    @Test
    void theAnswerIsWrittenWhenTheStageCompletesFromAnotherThreadAndTheRequestIsCountedUntilThen() throws Exception {
        LoopRequestDrain drain = new LoopRequestDrain(blocking);
        CompletableFuture<ApiResponse> later = new CompletableFuture<>();
        byte[][] seenBody = new byte[1][];
        EmbeddedChannel channel = channel(drain, (request, loop) -> {
            seenBody[0] = request.body();
            return later;
        });
        FullHttpRequest request = publish(TestServer.API_KEY);
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("released once its body is copied").isZero();
        assertThat(new String(seenBody[0], StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat((Object) channel.readOutbound()).as("no answer before the stage completes").isNull();
        assertThat(drain.inFlight()).isEqualTo(1);

        Thread writer = Thread.ofPlatform().start(() -> later.complete(ApiResponse.created(Map.of("count", 1))));
        writer.join();
        channel.runPendingTasks();
        FullHttpResponse answer = channel.readOutbound();
        assertThat(answer.status().code()).isEqualTo(201);
        assertThat(body(answer)).isEqualTo("{\"count\":1}");
        answer.release();
        assertThat(drain.inFlight()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aMissingOrWrongApiKeyIsAnswered401WithoutRunningTheHandler() {
        AtomicInteger calls = new AtomicInteger();
        LoopRequestDrain drain = new LoopRequestDrain(blocking);
        EmbeddedChannel channel = channel(drain, (request, loop) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(ApiResponse.created(Map.of()));
        });
        for (String key : new String[] {null, "not-the-key"}) {
            channel.writeInbound(publish(key));
            FullHttpResponse answer = channel.readOutbound();
            assertThat(answer.status().code()).isEqualTo(401);
            answer.release();
        }
        assertThat(calls).hasValue(0);
        assertThat(drain.inFlight()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aWrongKeyAfterAValidOneOnTheSameConnectionIsStillRefused() {
        AtomicInteger calls = new AtomicInteger();
        EmbeddedChannel channel = channel(new LoopRequestDrain(blocking), (request, loop) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(ApiResponse.created(Map.of()));
        });
        int[] expected = {201, 401, 401, 201};
        String[] keys = {TestServer.API_KEY, TestServer.API_KEY + "x", null, TestServer.API_KEY};
        for (int i = 0; i < keys.length; i++) {
            channel.writeInbound(publish(keys[i]));
            channel.runPendingTasks();
            FullHttpResponse answer = channel.readOutbound();
            assertThat(answer.status().code()).as("request %d", i).isEqualTo(expected[i]);
            answer.release();
        }
        assertThat(calls).hasValue(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void failuresAreAnsweredAsABlockingRouteAnswersThemWhetherThrownOrInTheStage() {
        LoopRequestDrain drain = new LoopRequestDrain(blocking);
        Map<RuntimeException, Integer> expected = Map.of(
                new ValidationException("to.user", "bad"), 400,
                new IdempotencyConflictException("k"), 409,
                new StoreUnavailableException("store write queue is full", null), 503,
                new IllegalStateException("bug"), 500);
        for (var e : expected.entrySet()) {
            for (boolean thrown : new boolean[] {true, false}) {
                EmbeddedChannel channel = channel(drain, (request, loop) -> {
                    if (thrown) {
                        throw e.getKey();
                    }
                    return CompletableFuture.<ApiResponse>failedFuture(e.getKey())
                            .thenApplyAsync(r -> r, loop); // wrapped in a CompletionException, as chained stages are
                });
                channel.writeInbound(publish(TestServer.API_KEY));
                channel.runPendingTasks();
                FullHttpResponse answer = channel.readOutbound();
                assertThat(answer.status().code()).as("%s thrown=%s", e.getKey(), thrown).isEqualTo(e.getValue());
                if (e.getKey() instanceof ValidationException) {
                    assertThat(body(answer)).contains("\"field\":\"to.user\"");
                }
                answer.release();
                channel.finishAndReleaseAll();
            }
        }
        assertThat(drain.inFlight()).isZero();
    }

    @Test
    void shutdownWaitsForAnsweredLoopRequestsAndRefusesNewOnesWith503() throws Exception {
        LoopRequestDrain drain = new LoopRequestDrain(blocking);
        CompletableFuture<ApiResponse> later = new CompletableFuture<>();
        EmbeddedChannel channel = channel(drain, (request, loop) -> later);
        channel.writeInbound(publish(TestServer.API_KEY));
        assertThat(drain.inFlight()).isEqualTo(1);

        blocking.shutdown();
        assertThat(blocking.awaitTermination(200, TimeUnit.MILLISECONDS)).as("shutdown waits for the answer").isFalse();

        channel.writeInbound(publish(TestServer.API_KEY));
        channel.runPendingTasks();
        // The first request is still being answered: the second waits behind it (pipelining).
        later.complete(ApiResponse.created(Map.of("count", 1)));
        channel.runPendingTasks();
        FullHttpResponse first = channel.readOutbound();
        assertThat(first.status().code()).isEqualTo(201);
        first.release();
        FullHttpResponse second = channel.readOutbound();
        assertThat(second.status().code()).as("a loop request after shutdown began").isEqualTo(503);
        second.release();
        assertThat(blocking.awaitTermination(10, TimeUnit.SECONDS)).as("shutdown done once answered").isTrue();
        assertThat(drain.inFlight()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aDrainRefusesOnceItsExecutorIsShutDownAndCountsNothing() {
        LoopRequestDrain drain = new LoopRequestDrain(blocking);
        blocking.shutdown();
        assertThatThrownBy(drain::enter).isInstanceOf(RejectedExecutionException.class);
        assertThat(drain.inFlight()).isZero();
    }

    @Test
    void aLoopRouteForUsersIsRefusedAtConstruction() {
        assertThatThrownBy(() -> Route.postOnLoop("/p", Route.Access.USER,
                (request, loop) -> CompletableFuture.completedFuture(ApiResponse.created(Map.of()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("access");
    }
}
