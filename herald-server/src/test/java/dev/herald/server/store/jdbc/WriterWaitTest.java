package dev.herald.server.store.jdbc;

import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounded wait of a caller that must not block, timed on the caller's own timer. */
class WriterWaitTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    WriterWaitTest() {
        timer.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aWriteNotAnsweredInTimeFailsAsUnavailableAndIsGivenUpSoTheWriterSkipsIt() {
        CompletableFuture<String> queued = new CompletableFuture<>();
        CompletableFuture<String> answer = WriterWait.within(queued, Duration.ofMillis(50), "publish", "the db", timer);
        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("publish not committed within");
        assertThat(queued).as("the writer's future, which it checks before taking the write").isCompletedExceptionally();
    }

    @Test
    void anAnswerInTimeCancelsTheTimeoutAndPassesTheResultOrTheStoresOwnFailure() {
        CompletableFuture<String> queued = new CompletableFuture<>();
        CompletableFuture<String> answer = WriterWait.within(queued, Duration.ofSeconds(15), "publish", "the db", timer);
        assertThat(timer.getQueue()).hasSize(1);
        queued.complete("stored");
        assertThat(answer.join()).isEqualTo("stored");
        assertThat(timer.getQueue()).as("timeout cancelled").isEmpty();

        CompletableFuture<String> conflicting = new CompletableFuture<>();
        CompletableFuture<String> refused = WriterWait.within(conflicting, Duration.ofSeconds(15), "publish", "the db", timer);
        conflicting.completeExceptionally(new IdempotencyConflictException("k"));
        assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IdempotencyConflictException.class);
        assertThat(timer.getQueue()).isEmpty();
    }
}
