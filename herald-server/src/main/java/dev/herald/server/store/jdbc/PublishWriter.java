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
 * <p>If the batch fails for a reason other than a lost connection (a unique violation from a
 * concurrent node, a deadlock), its requests are run again one by one, so only the bad one fails.
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

    private record Pending(PublishRequest request, CompletableFuture<PublishResult> result, long bytes) {
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
        long bytes = request.json().length() + 64L * (request.streams().size() + 1);
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("store is closed", null);
            }
            if (queue.size() >= MAX_QUEUED || queuedBytes + bytes > MAX_QUEUED_BYTES) {
                throw new StoreUnavailableException("store write queue is full (" + queue.size()
                        + " publishes pending); " + place + " is too slow or down", null);
            }
            queue.add(new Pending(request, result, bytes));
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
            while (!queue.isEmpty() && batch.size() < MAX_BATCH && (batch.isEmpty() || bytes < MAX_BATCH_BYTES)) {
                Pending p = queue.poll();
                bytes += p.bytes();
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

    /** One request in its own transaction, again while it loses races to other nodes. */
    private void writeAlone(Connection c, Pending p) {
        for (int attempt = 1; ; attempt++) {
            try {
                commitAndReport(c, List.of(p));
                return;
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

    private void commitAndReport(Connection c, List<Pending> batch) throws SQLException {
        List<PublishRequest> requests = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            requests.add(p.request());
        }
        List<PublishTransaction.Outcome> outcomes = transaction.run(c, requests);
        c.commit();

        List<StoredNotification> committed = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PublishTransaction.Outcome o = outcomes.get(i);
            if (o.failure() != null) {
                batch.get(i).result().completeExceptionally(o.failure());
                continue;
            }
            if (!o.result().replayed()) {
                committed.addAll(o.result().notifications());
                for (StoredNotification sn : o.result().notifications()) {
                    streams.add(sn.stream());
                }
            }
            batch.get(i).result().complete(o.result());
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
