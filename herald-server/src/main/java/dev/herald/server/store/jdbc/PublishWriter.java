package dev.herald.server.store.jdbc;

import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.StoredNotification;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Group commit: one writer thread takes every pending publish (up to {@link #MAX_BATCH} requests
 * or {@link #MAX_BATCH_BYTES}) into one transaction, commits, completes each caller, then reports
 * the batch to the {@link Store.CommitListener} on this thread, in commit order.
 *
 * <p>A submission is a group of one or more requests ({@link #submitAll}) that commit together or
 * not at all: a group is never split across transactions, and if one of its requests is refused
 * (an idempotency key reused with another body) none of the group is stored.
 *
 * <p>If the batch fails for a reason other than a lost connection (a unique violation from a
 * concurrent node, a deadlock, a refused group), its groups are run again one by one, so only the
 * bad one fails.
 * If the connection is lost, every caller of the batch fails with {@link StoreUnavailableException}.
 *
 * <p>The queue is capped ({@link #MAX_QUEUED} requests, {@link #MAX_QUEUED_BYTES} of JSON); a
 * publish over the cap fails at once. {@link #close} refuses new publishes and drains the queue.
 * Thread-safe; the queue fields are guarded by {@link #lock}.
 */
final class PublishWriter implements AutoCloseable {

    static final int MAX_BATCH = 512;
    static final long MAX_BATCH_BYTES = 4L << 20;
    static final int MAX_QUEUED = 20_000;
    static final long MAX_QUEUED_BYTES = 64L << 20;
    /** Attempts of one request that keeps losing races (unique key, deadlock) before it fails. */
    private static final int RACE_ATTEMPTS = 4;

    private static final Logger log = LoggerFactory.getLogger(PublishWriter.class);

    private record Pending(List<PublishRequest> requests, CompletableFuture<List<PublishResult>> result, long bytes) {
    }

    /** A request of a group was refused: the whole transaction is rolled back and rerun per group. */
    private static final class GroupRefused extends RuntimeException {
        GroupRefused() {
            super("a request of a group was refused", null, false, false);
        }
    }

    private final DataSource pool;
    private final String place;
    private final PublishTransaction transaction;
    private final StreamRows streamRows;
    private final Store.CommitListener listener;
    private final Timer batchTimer;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closed;

    PublishWriter(DataSource pool, String place, StreamRows streamRows, Store.CommitListener listener,
                  Timer batchTimer) {
        this.pool = pool;
        this.place = place;
        this.streamRows = streamRows;
        this.transaction = new PublishTransaction(streamRows);
        this.listener = listener;
        this.batchTimer = batchTimer;
        this.thread = Thread.ofPlatform().name("herald-store-writer").daemon(false).unstarted(this::run);
        thread.start();
    }

    /** Queues a publish; the future completes after commit (or fails). */
    CompletableFuture<PublishResult> submit(PublishRequest request) {
        return submitAll(List.of(request)).thenApply(results -> results.get(0));
    }

    /**
     * Queues publishes that commit together or not at all; the future completes with one result
     * per request, in order, after commit (or fails as a whole).
     */
    CompletableFuture<List<PublishResult>> submitAll(List<PublishRequest> requests) {
        long bytes = 0;
        for (PublishRequest request : requests) {
            bytes += request.json().length() + 64L * (request.streams().size() + 1);
        }
        CompletableFuture<List<PublishResult>> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("store is closed", null);
            }
            if (queue.size() >= MAX_QUEUED || queuedBytes + bytes > MAX_QUEUED_BYTES) {
                throw new StoreUnavailableException("store write queue is full (" + queue.size()
                        + " publishes pending); " + place + " is too slow or down", null);
            }
            queue.add(new Pending(List.copyOf(requests), result, bytes));
            queuedBytes += bytes;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return result;
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            List<Pending> batch = take();
            if (batch == null) {
                return;
            }
            try {
                write(batch);
            } catch (Throwable t) {
                // Never leave a caller waiting, whatever broke.
                log.error("store writer failed on a batch of {}", batch.size(), t);
                fail(batch, new StoreUnavailableException("store writer failed: " + SqlFailures.describe(t), t));
            }
        }
    }

    /** Blocks until work is queued; null once closed and drained. */
    private List<Pending> take() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return null;
                }
                notEmpty.awaitUninterruptibly();
            }
            List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            long bytes = 0;
            int requests = 0;
            // A group is never split; one larger than the limits goes alone.
            while (!queue.isEmpty() && (batch.isEmpty()
                    || requests + queue.peek().requests().size() <= MAX_BATCH && bytes < MAX_BATCH_BYTES)) {
                Pending p = queue.poll();
                bytes += p.bytes();
                requests += p.requests().size();
                batch.add(p);
            }
            queuedBytes -= bytes;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void write(List<Pending> batch) {
        // Callers that gave up waiting are skipped: they were told it failed.
        batch.removeIf(p -> p.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        Timer.Sample sample = Timer.start();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                commitAndReport(c, batch);
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                if (e instanceof GroupRefused && batch.size() == 1) {
                    return; // its caller was told why
                }
                if (SqlFailures.isConnectionFailure(e)) {
                    fail(batch, unavailable(e));
                } else if (batch.size() == 1 && !SqlFailures.isRace(e)) {
                    fail(batch, unavailable(e));
                } else {
                    log.debug("batch of {} rolled back ({}); writing its publishes one by one", batch.size(),
                            SqlFailures.describe(e));
                    for (Pending p : batch) {
                        writeAlone(c, p);
                    }
                }
            }
        } catch (SQLException e) {
            fail(batch, unavailable(e));
        } finally {
            sample.stop(batchTimer);
        }
    }

    /** One group in its own transaction, again while it loses races to other nodes. */
    private void writeAlone(Connection c, Pending p) {
        for (int attempt = 1; ; attempt++) {
            try {
                commitAndReport(c, List.of(p));
                return;
            } catch (GroupRefused refused) {
                rollback(c);
                return; // commitAndReport completed the group with the refusal
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                if (!SqlFailures.isConnectionFailure(e) && SqlFailures.isRace(e) && attempt < RACE_ATTEMPTS) {
                    continue;
                }
                log.warn("publish failed after {} attempt(s) on {}: {}", attempt, place, SqlFailures.describe(e));
                p.result().completeExceptionally(unavailable(e));
                return;
            }
        }
    }

    /**
     * Runs and commits the batch, completes its callers, reports it to the listener. A group with
     * a refused request throws {@link GroupRefused} before the commit; when the batch is that
     * group alone, its caller is completed with the refusal first.
     */
    private void commitAndReport(Connection c, List<Pending> batch) throws SQLException {
        List<PublishRequest> requests = new ArrayList<>();
        for (Pending p : batch) {
            requests.addAll(p.requests());
        }
        List<PublishTransaction.Outcome> outcomes = transaction.run(c, requests);
        for (int i = 0, first = 0; i < batch.size(); first += batch.get(i).requests().size(), i++) {
            Pending p = batch.get(i);
            RuntimeException refusal = firstFailure(outcomes, first, p.requests().size());
            if (refusal != null && p.requests().size() > 1) {
                if (batch.size() == 1) {
                    p.result().completeExceptionally(refusal);
                }
                throw new GroupRefused();
            }
        }
        c.commit();

        List<StoredNotification> committed = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        int index = 0;
        for (Pending p : batch) {
            List<PublishResult> results = new ArrayList<>(p.requests().size());
            RuntimeException failure = null;
            for (int k = 0; k < p.requests().size(); k++, index++) {
                PublishTransaction.Outcome o = outcomes.get(index);
                if (o.failure() != null) {
                    failure = o.failure();
                    continue;
                }
                if (!o.result().replayed()) {
                    committed.addAll(o.result().notifications());
                    for (StoredNotification sn : o.result().notifications()) {
                        streams.add(sn.stream());
                    }
                }
                results.add(o.result());
            }
            if (failure != null) {
                p.result().completeExceptionally(failure);  // a single request refused on its own
            } else {
                p.result().complete(results);
            }
        }
        streamRows.remember(streams);
        if (!committed.isEmpty()) {
            try {
                listener.committed(committed);
            } catch (RuntimeException e) {
                log.error("commit listener failed on {} notifications", committed.size(), e);
            }
        }
    }

    private static RuntimeException firstFailure(List<PublishTransaction.Outcome> outcomes, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (outcomes.get(i).failure() != null) {
                return outcomes.get(i).failure();
            }
        }
        return null;
    }

    private StoreUnavailableException unavailable(Throwable e) {
        return new StoreUnavailableException("cannot store publish in " + place + ": " + SqlFailures.describe(e), e);
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    private static void fail(List<Pending> batch, RuntimeException e) {
        for (Pending p : batch) {
            p.result().completeExceptionally(e);
        }
    }

    /** Refuses new publishes, waits (bounded) until every queued one is written. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (!thread.join(java.time.Duration.ofSeconds(30))) {
                log.warn("store writer still busy after 30 s at close; {} publishes pending", queued());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
