package dev.herald.server.work;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * At most one task at a time draining a queue of background work on an executor: {@link #wake}
 * after adding work starts one unless one runs; the task drains what it finds and ends, and if
 * work came after its last look, another starts. Used where many callers hand the store work that
 * is done in batches by one worker (newly seen users, presence announcements), so that a storm of
 * them takes one store connection, not one each. Thread-safe; {@code wake} never blocks.
 */
public final class SingleWorker {
    private final Executor executor;
    private final Runnable drain;
    private final BooleanSupplier hasWork;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param executor where the task runs
     * @param drain    takes and does the queued work until it finds none (an exception ends the
     *                 task; the worker starts again if work is left)
     * @param hasWork  whether work is queued; must not block
     */
    public SingleWorker(Executor executor, Runnable drain, BooleanSupplier hasWork) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.drain = Objects.requireNonNull(drain, "drain");
        this.hasWork = Objects.requireNonNull(hasWork, "hasWork");
    }

    /**
     * Starts the task unless one runs.
     *
     * @throws RejectedExecutionException when the executor refuses it (the node is shutting down);
     *                                    a later {@code wake} tries again
     */
    public void wake() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            running.set(false);
            throw e;
        }
    }

    private void run() {
        try {
            drain.run();
        } finally {
            running.set(false);
            if (hasWork.getAsBoolean()) {
                try {
                    wake(); // work that came after the drain's last look
                } catch (RejectedExecutionException e) {
                    // Shutting down: what is left goes with the node.
                }
            }
        }
    }
}
