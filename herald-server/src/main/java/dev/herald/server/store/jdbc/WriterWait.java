package dev.herald.server.store.jdbc;

import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.StoreUnavailableException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A caller's bounded wait for a write queued to a writer thread (notification publishes, chat
 * sends). A caller that gives up completes the future itself, so a writer that has not taken the
 * write yet skips it; one that already took it may still commit it, which a retry with the same
 * idempotency key or client id replays. Stateless.
 */
public final class WriterWait {

    private WriterWait() {
    }

    /**
     * The writer's result, or its failure as {@link IdempotencyConflictException} or
     * {@link StoreUnavailableException} (anything else is wrapped in the latter).
     *
     * @param what  what is being written, for messages: "publish", "message"
     * @param place the database, for messages
     */
    public static <T> T await(CompletableFuture<T> result, Duration wait, String what, String place) {
        try {
            result.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.completeExceptionally(new StoreUnavailableException(what + " not committed within "
                    + wait.toSeconds() + " s; " + place + " is too slow or down", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(new StoreUnavailableException("interrupted while waiting for the " + what
                    + " to commit", e));
        } catch (ExecutionException e) {
            // Rethrown below with its own type.
        }
        // Done by now: either the writer's outcome or ours, whichever came first.
        try {
            return result.join();
        } catch (CompletionException e) {
            throw failure(e.getCause(), wait, what, place);
        }
    }

    /**
     * The same wait without blocking: the returned future completes with the writer's result, or
     * fails as {@link #await} throws; after {@code wait} the write fails (and the writer skips it
     * if it has not taken it yet).
     */
    public static <T> CompletableFuture<T> within(CompletableFuture<T> result, Duration wait, String what,
                                                  String place) {
        result.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
        return failingAsAwaitThrows(result, wait, what, place);
    }

    /**
     * {@link #within(CompletableFuture, Duration, String, String)} with the wait timed on
     * {@code timer}, the caller's event loop, instead of the JDK's shared delay scheduler: the
     * timeout is one entry in the loop's own timer queue, and cancelling it once the writer
     * answered wakes no thread (the loop drops it on its next pass). That scheduler costs every
     * write two hand-offs to its thread, measured at ~10 us of CPU per publish (issue 13).
     */
    public static <T> CompletableFuture<T> within(CompletableFuture<T> result, Duration wait, String what,
                                                  String place, ScheduledExecutorService timer) {
        ScheduledFuture<?> timeout = timer.schedule(() -> result.completeExceptionally(new TimeoutException()),
                wait.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timeout.cancel(false));
        return failingAsAwaitThrows(result, wait, what, place);
    }

    /** {@code result}, its failure turned into what {@link #await} throws. */
    private static <T> CompletableFuture<T> failingAsAwaitThrows(CompletableFuture<T> result, Duration wait, String what,
                                                                  String place) {
        return result.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                failure(e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e, wait, what, place)));
    }

    /** The writer's failure as callers see it: the store's own exceptions as they are, a timeout as unavailable. */
    private static RuntimeException failure(Throwable cause, Duration wait, String what, String place) {
        if (cause instanceof IdempotencyConflictException conflict) {
            return conflict;
        }
        if (cause instanceof StoreUnavailableException unavailable) {
            return unavailable;
        }
        if (cause instanceof TimeoutException) {
            return new StoreUnavailableException(what + " not committed within " + wait.toSeconds() + " s; " + place
                    + " is too slow or down", cause);
        }
        return new StoreUnavailableException("cannot store a " + what + ": " + SqlFailures.describe(cause), cause);
    }
}
