package dev.herald.server.store.jdbc;

import dev.herald.server.logging.RefusalCount;
import dev.herald.server.store.StoreUnavailableException;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Group commit, the one way Herald writes what must be durable before it is answered
 * (notification publishes, chat sends): callers queue writes; one writer thread takes every
 * waiting write into one transaction, commits, runs the {@link Transaction#committed} step, then
 * completes the callers. The guarantees, for every kind of write:
 *
 * <ul>
 *   <li><b>Order.</b> Batches are committed and reported one after another, in queue order, on
 *       the writer thread: what a batch hands on after its commit (to delivery) leaves in commit
 *       order, and before any of its callers is answered. Several writers on one database
 *       (lanes) that may touch the same rows share a {@link Settings#commitOrder} lock: across
 *       them too, what is handed on leaves in commit order.</li>
 *   <li><b>Groups.</b> A submission is a group of one or more writes that commit together or not
 *       at all: a group is never split across transactions, and if one of its writes is refused
 *       none of the group is stored. A refused write in a group of one fails only that caller.</li>
 *   <li><b>Failures.</b> If a batch fails for a reason other than a lost connection (a unique
 *       violation from a concurrent node, a deadlock, a refused group), it is rolled back and its
 *       groups run again one by one, a group that keeps losing races up to {@value #RACE_ATTEMPTS}
 *       times, so only the bad one fails. If the connection is lost, every caller of the batch
 *       fails with {@link StoreUnavailableException}.</li>
 *   <li><b>Bounded.</b> The queue is capped ({@link Limits}: groups, bytes, and how long the
 *       oldest may have waited); a submission over a cap is refused at once with the exception
 *       {@link Settings#whenFull} makes, so a slow database costs refusals, not thousands of parked
 *       threads or answers that come after the caller gave up. Refusals are logged in aggregate,
 *       at most one line per {@link #REFUSAL_LOG_INTERVAL}. A caller that gave up (completed its
 *       future itself, see {@link WriterWait}) before its batch was taken is skipped.</li>
 *   <li><b>Close.</b> {@link #close} refuses new submissions and waits (bounded) until every
 *       queued one is written.</li>
 * </ul>
 *
 * <p>Linger ({@link Settings#linger}): while writes keep coming, a batch may wait up to that
 * long for more company before it starts, so that a steady trickle commits in fewer, larger
 * transactions; a write that arrives after a quiet spell goes at once.
 *
 * <p>The writer thread starts with the first submission and ends after {@link #IDLE} without
 * work; while it runs it holds one pool connection, which it returns whenever the queue is empty.
 * Thread-safe; the queue fields are guarded by {@link #lock}, the connection belongs to the
 * writer thread.
 *
 * @param <T> one write
 * @param <R> the answer to one write
 */
public final class GroupCommitWriter<T, R> implements AutoCloseable {
    /** Writes in one transaction at most; a larger group goes alone. */
    public static final int MAX_BATCH = 512;
    /** Bytes of writes in one transaction at most; a larger group goes alone. */
    public static final long MAX_BATCH_BYTES = 4L << 20;
    /** Runs of one group that keeps losing races (unique key, deadlock) before it fails. */
    static final int RACE_ATTEMPTS = 4;
    static final Duration IDLE = Duration.ofSeconds(1);
    /** A lingering batch starts as soon as this many submissions wait. */
    static final int LINGER_ENOUGH = 64;
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** What the writer runs for one kind of write. Called only on the writer thread. */
    public interface Transaction<T, R> {
        /**
         * Runs the writes in one transaction on {@code c} without committing; one outcome per
         * write, in order. On an exception the writer rolls back and nothing of the batch is
         * stored.
         */
        List<Outcome<R>> run(Connection c, List<T> writes) throws SQLException;

        /**
         * After the commit, before any caller is answered: hands what the batch stored on (e.g.
         * to delivery). {@code outcomes} holds only committed writes' outcomes, one per write.
         * An exception is logged; the callers are answered all the same.
         */
        void committed(List<T> writes, List<Outcome<R>> outcomes);
    }

    /** What became of one write: its answer, or why it was refused. Exactly one is set. */
    public record Outcome<R>(R result, RuntimeException refusal) {
        public static <R> Outcome<R> of(R result) {
            return new Outcome<>(result, null);
        }

        public static <R> Outcome<R> refused(RuntimeException refusal) {
            return new Outcome<>(null, Objects.requireNonNull(refusal, "refusal"));
        }
    }

    /**
     * How many submissions may wait for the database, and for how long, before new ones are
     * refused at once. Immutable.
     *
     * @param maxQueued      submissions waiting at most (each caller is a parked thread)
     * @param maxQueuedBytes their size at most, roughly in bytes of memory
     * @param maxQueueDelay  a submission is refused while the oldest waiting one has waited longer
     *                       than this: under overload the queue then holds about this much work,
     *                       so an accepted write commits in about this time whatever the
     *                       database's speed
     */
    public record Limits(int maxQueued, long maxQueuedBytes, Duration maxQueueDelay) {
        public Limits {
            if (maxQueued < 1) {
                throw new IllegalArgumentException("maxQueued: must be at least 1, was " + maxQueued);
            }
            if (maxQueuedBytes < 1) {
                throw new IllegalArgumentException("maxQueuedBytes: must be at least 1, was " + maxQueuedBytes);
            }
            if (maxQueueDelay == null || maxQueueDelay.isNegative() || maxQueueDelay.isZero()) {
                throw new IllegalArgumentException("maxQueueDelay: must be positive, was " + maxQueueDelay);
            }
        }
    }

    /** The queue's state when a submission was refused, for the caller's error. */
    public record Backlog(int waiting, long oldestWaitedMs) {
    }

    /** Makes the exception a refused submission throws. */
    public interface Refusal {
        RuntimeException full(Backlog backlog);
    }

    /**
     * One writer's identity and limits.
     *
     * @param name       the writer thread's name and the subject of its log lines ("chat writer")
     * @param what       one write, for errors and logs ("message", "publish")
     * @param place      the database, for errors
     * @param limits     the queue caps
     * @param whenFull   the exception of a refused submission
     * @param batchTimer times each batch transaction; null for none
     * @param nanoTime   the clock of queue delays ({@link System#nanoTime} but in tests)
     * @param commitOrder null, or a lock shared by writers whose batches may touch the same keys
     *                   (rows): each takes it around its commit and committed step, so across
     *                   them the committed steps run one at a time and in commit order. The
     *                   database's row locks order the seqs of a key across writers; this orders
     *                   what they hand on. Statements still run in parallel; only commits queue.
     * @param linger     zero, or how long the oldest waiting write may wait for company while
     *                   the writer is busy (it last looked for work less than this long ago), until
     *                   {@value #LINGER_ENOUGH} wait: each commit has a fixed cost in the database
     *                   (the log flush), which a trickle of small batches pays per write
     */
    public record Settings(String name, String what, String place, Limits limits, Refusal whenFull,
                           Timer batchTimer, LongSupplier nanoTime, Lock commitOrder, Duration linger) {
        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(place, "place");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(whenFull, "whenFull");
            Objects.requireNonNull(nanoTime, "nanoTime");
            Objects.requireNonNull(linger, "linger");
            if (linger.isNegative() || linger.compareTo(limits.maxQueueDelay()) >= 0) {
                throw new IllegalArgumentException("linger: must be at least zero and below the queue delay cap "
                        + limits.maxQueueDelay() + ", was " + linger);
            }
        }

        /** No linger. */
        public Settings(String name, String what, String place, Limits limits, Refusal whenFull,
                        Timer batchTimer, LongSupplier nanoTime, Lock commitOrder) {
            this(name, what, place, limits, whenFull, batchTimer, nanoTime, commitOrder, Duration.ZERO);
        }

        /** A writer that shares no keys with another: no commit order lock; no linger. */
        public Settings(String name, String what, String place, Limits limits, Refusal whenFull,
                        Timer batchTimer, LongSupplier nanoTime) {
            this(name, what, place, limits, whenFull, batchTimer, nanoTime, null);
        }

        /** These settings with batches lingering for company up to {@code linger}. */
        public Settings lingering(Duration linger) {
            return new Settings(name, what, place, limits, whenFull, batchTimer, nanoTime, commitOrder, linger);
        }
    }

    private record Pending<T, R>(List<T> writes, CompletableFuture<List<R>> result, long bytes, long queuedAt) {
    }

    /** A write of a group was refused: the transaction is rolled back and rerun per group. */
    private static final class GroupRefused extends RuntimeException {
        GroupRefused() {
            super("a write of a group was refused", null, false, false);
        }
    }

    private final DataSource pool;
    private final Transaction<T, R> transaction;
    private final Settings settings;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Signalled when {@value #LINGER_ENOUGH} submissions wait, or at close: a lingering batch starts. */
    private final Condition enough = lock.newCondition();
    // Guarded by lock.
    /** {@link Settings#nanoTime} when the writer last looked for a batch; for {@link Settings#linger}. */
    private long lastTaken;
    private final ArrayDeque<Pending<T, R>> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closed;
    private Thread writer;
    private final RefusalCount refusals;
    private long commits;

    // Only on the writer thread.
    private Connection connection;

    public GroupCommitWriter(DataSource pool, Transaction<T, R> transaction, Settings settings) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.transaction = Objects.requireNonNull(transaction, "transaction");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.refusals = new RefusalCount(REFUSAL_LOG_INTERVAL, settings.nanoTime());
        this.lastTaken = settings.nanoTime().getAsLong() - settings.linger().toNanos(); // quiet so far
    }

    /**
     * Queues one write; see {@link #submitAll}. A caller that gives up completes the returned
     * future itself, which reaches the queued submission: the writer skips it if not yet taken.
     */
    public CompletableFuture<R> submit(T write, long bytes) {
        CompletableFuture<List<R>> all = submitAll(List.of(write), bytes);
        CompletableFuture<R> one = all.thenApply(results -> results.get(0));
        one.whenComplete((result, failure) -> {
            if (failure != null) {
                all.completeExceptionally(failure);
            }
        });
        return one;
    }

    /**
     * Queues writes that commit together or not at all; the future completes with one answer per
     * write, in order, after the commit and the {@link Transaction#committed} step, or fails as a
     * whole.
     *
     * @param bytes the writes' size, roughly in bytes of memory, for the queue's byte cap
     * @throws StoreUnavailableException at once when the writer is closed
     * @throws RuntimeException          at once when the queue is full: {@link Settings#whenFull}'s
     */
    public CompletableFuture<List<R>> submitAll(List<T> writes, long bytes) {
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("writes: must not be empty");
        }
        Limits limits = settings.limits();
        CompletableFuture<List<R>> result = new CompletableFuture<>();
        Backlog refused = null;
        String refusalLine = null;
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("the " + settings.name() + " is closed", null);
            }
            long now = settings.nanoTime().getAsLong();
            Pending<T, R> oldest = queue.peek();
            long waited = oldest == null ? 0 : now - oldest.queuedAt();
            if (queue.size() >= limits.maxQueued() || queuedBytes + bytes > limits.maxQueuedBytes()
                    || waited > limits.maxQueueDelay().toNanos()) {
                refused = new Backlog(queue.size(), TimeUnit.NANOSECONDS.toMillis(waited));
                refusals.add();
                refusalLine = refusalLine(false);
            } else {
                queue.add(new Pending<>(List.copyOf(writes), result, bytes, now));
                queuedBytes += bytes;
                if (writer == null) {
                    writer = startWriter();
                } else {
                    notEmpty.signal();
                    if (queue.size() == LINGER_ENOUGH) {
                        enough.signal();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (refusalLine != null) {
            log.warn(refusalLine);
        }
        if (refused != null) {
            throw settings.whenFull().full(refused);
        }
        return result;
    }

    /** Submissions waiting for the writer. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Transactions committed since construction. */
    public long commits() {
        lock.lock();
        try {
            return commits;
        } finally {
            lock.unlock();
        }
    }

    private Thread startWriter() {
        return Thread.ofPlatform().name("herald-" + settings.name().replace(' ', '-')).daemon(true).start(this::run);
    }

    /** The aggregated refusal line when one is due (or forced), else null. Under the lock. */
    private String refusalLine(boolean force) {
        RefusalCount.Summary summary = refusals.takeIfDue(force);
        if (summary == null) {
            return null;
        }
        Limits limits = settings.limits();
        return settings.name() + " queue full: refused " + summary.count() + " " + settings.what() + "(s) in the last "
                + summary.seconds() + " s (" + queue.size() + " waiting; caps " + limits.maxQueued() + " waiting, "
                + limits.maxQueueDelay().toMillis() + " ms); the database is too slow for the offered load";
    }

    private void run() {
        try {
            while (true) {
                List<Pending<T, R>> batch = poll();
                if (batch.isEmpty()) {
                    releaseConnection();
                    if (!awaitWork()) {
                        return;
                    }
                    continue;
                }
                try {
                    write(batch);
                } catch (Throwable t) {
                    // Never leave a caller waiting, whatever broke.
                    log.error("{} failed on a batch of {}", settings.name(), batch.size(), t);
                    fail(batch, new StoreUnavailableException(settings.name() + " failed: " + SqlFailures.describe(t), t));
                    releaseConnection();
                }
            }
        } finally {
            releaseConnection();
            handOver();
        }
    }

    /**
     * The writer ends. If it ends by surprise (an Error outside a batch) with writes still queued,
     * another one takes over, so no caller waits for a writer that is gone.
     */
    private void handOver() {
        lock.lock();
        try {
            if (writer == Thread.currentThread()) {
                writer = queue.isEmpty() ? null : startWriter();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next batch, possibly empty; waits only to linger ({@link Settings#linger}). A group is
     * never split; one over the limits goes alone.
     */
    private List<Pending<T, R>> poll() {
        lock.lock();
        try {
            linger();
            lastTaken = settings.nanoTime().getAsLong();
            List<Pending<T, R>> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            long bytes = 0;
            int writes = 0;
            while (!queue.isEmpty() && (batch.isEmpty()
                    || writes + queue.peek().writes().size() <= MAX_BATCH && bytes < MAX_BATCH_BYTES)) {
                Pending<T, R> p = queue.poll();
                bytes += p.bytes();
                writes += p.writes().size();
                batch.add(p);
            }
            queuedBytes -= bytes;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: while the writer is busy (it last looked for work less than the linger ago),
     * waits until the oldest waiting write has waited the linger, {@value #LINGER_ENOUGH} wait,
     * or the writer closes. At most the linger, whatever the clock says.
     */
    private void linger() {
        long linger = settings.linger().toNanos();
        Pending<T, R> oldest = queue.peek();
        if (linger == 0 || oldest == null) {
            return;
        }
        long now = settings.nanoTime().getAsLong();
        if (now - lastTaken >= linger) {
            return; // after a quiet spell: nothing else is likely to come soon
        }
        long left = Math.min(linger, linger - (now - oldest.queuedAt()));
        while (left > 0 && queue.size() < LINGER_ENOUGH && !closed) {
            try {
                left = enough.awaitNanos(left);
            } catch (InterruptedException e) {
                return; // as awaitWork: the batch goes now
            }
        }
    }

    /** Waits for work up to {@link #IDLE}; false (and the writer ends) when none came or the writer closed. */
    private boolean awaitWork() {
        String refusalLine;
        boolean more;
        lock.lock();
        try {
            refusalLine = refusalLine(true); // the rest of a burst, before going quiet
            long left = IDLE.toNanos();
            while (queue.isEmpty() && !closed && left > 0) {
                try {
                    left = notEmpty.awaitNanos(left);
                } catch (InterruptedException e) {
                    left = 0;
                }
            }
            more = !queue.isEmpty();
            if (!more) {
                writer = null;
            }
        } finally {
            lock.unlock();
        }
        if (refusalLine != null) {
            log.warn(refusalLine);
        }
        return more;
    }

    private void write(List<Pending<T, R>> batch) {
        // Callers that gave up waiting are skipped: they were told it failed.
        batch.removeIf(p -> p.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        Timer.Sample sample = Timer.start();
        try {
            Connection c;
            try {
                c = connection();
            } catch (SQLException e) {
                fail(batch, unavailable(e));
                return;
            }
            try {
                commitAndReport(c, batch);
            } catch (SQLException | RuntimeException e) {
                Transactions.rollbackQuietly(c);
                if (e instanceof GroupRefused && batch.size() == 1) {
                    return; // its caller was told why
                }
                if (SqlFailures.isConnectionFailure(e)) {
                    releaseConnection();
                    fail(batch, unavailable(e));
                } else if (batch.size() == 1 && !SqlFailures.isRace(e)) {
                    fail(batch, unavailable(e));
                } else {
                    log.debug("{}: batch of {} rolled back ({}); writing its groups one by one", settings.name(),
                            batch.size(), SqlFailures.describe(e));
                    for (Pending<T, R> p : batch) {
                        writeAlone(p);
                    }
                }
            }
        } finally {
            if (settings.batchTimer() != null) {
                sample.stop(settings.batchTimer());
            }
        }
    }

    /** One group in its own transaction, again while it loses races to other nodes. */
    private void writeAlone(Pending<T, R> p) {
        for (int attempt = 1; ; attempt++) {
            try {
                commitAndReport(connection(), List.of(p));
                return;
            } catch (GroupRefused refused) {
                Transactions.rollbackQuietly(connection);
                return; // commitAndReport completed the group with the refusal
            } catch (SQLException | RuntimeException e) {
                if (connection != null) {
                    Transactions.rollbackQuietly(connection);
                }
                boolean lost = SqlFailures.isConnectionFailure(e);
                if (lost) {
                    releaseConnection();
                }
                if (!lost && SqlFailures.isRace(e) && attempt < RACE_ATTEMPTS) {
                    continue;
                }
                log.warn("{} failed after {} attempt(s) on {}: {}", settings.what(), attempt, settings.place(),
                        SqlFailures.describe(e));
                p.result().completeExceptionally(unavailable(e));
                return;
            }
        }
    }

    /**
     * Runs and commits the batch, runs the committed step, answers the callers. A group with a
     * refused write throws {@link GroupRefused} before the commit; when the batch is that group
     * alone, its caller is answered with the refusal first.
     */
    private void commitAndReport(Connection c, List<Pending<T, R>> batch) throws SQLException {
        List<T> writes = new ArrayList<>();
        for (Pending<T, R> p : batch) {
            writes.addAll(p.writes());
        }
        List<Outcome<R>> outcomes = transaction.run(c, writes);
        if (outcomes.size() != writes.size()) {
            throw new IllegalStateException(settings.name() + ": " + outcomes.size() + " outcomes for "
                    + writes.size() + " writes");
        }
        for (int i = 0, first = 0; i < batch.size(); first += batch.get(i).writes().size(), i++) {
            Pending<T, R> p = batch.get(i);
            RuntimeException refusal = firstRefusal(outcomes, first, p.writes().size());
            if (refusal != null && p.writes().size() > 1) {
                if (batch.size() == 1) {
                    p.result().completeExceptionally(refusal);
                }
                throw new GroupRefused();
            }
        }
        Lock order = settings.commitOrder();
        if (order != null) {
            order.lock();
        }
        try {
            c.commit();
            countCommit();
            try {
                transaction.committed(writes, outcomes);
            } catch (RuntimeException e) {
                log.error("{}: the committed step failed on {} writes", settings.name(), writes.size(), e);
            }
        } finally {
            if (order != null) {
                order.unlock();
            }
        }
        int index = 0;
        for (Pending<T, R> p : batch) {
            List<R> results = new ArrayList<>(p.writes().size());
            RuntimeException refusal = null;
            for (int k = 0; k < p.writes().size(); k++, index++) {
                Outcome<R> o = outcomes.get(index);
                if (o.refusal() != null) {
                    refusal = o.refusal();
                } else {
                    results.add(o.result());
                }
            }
            if (refusal != null) {
                p.result().completeExceptionally(refusal); // a group of one refused on its own
            } else {
                p.result().complete(results);
            }
        }
    }

    private static <R> RuntimeException firstRefusal(List<Outcome<R>> outcomes, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (outcomes.get(i).refusal() != null) {
                return outcomes.get(i).refusal();
            }
        }
        return null;
    }

    private void countCommit() {
        lock.lock();
        try {
            commits++;
        } finally {
            lock.unlock();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = pool.getConnection();
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** Gives the connection back to the pool (autocommit restored), so readers may use it while the writer idles. */
    private void releaseConnection() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        connection = null;
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("cannot restore autocommit on a {} connection", settings.name(), e);
        }
        closeQuietly(c);
    }

    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("cannot close a {} connection", settings.name(), e);
        }
    }

    private StoreUnavailableException unavailable(Throwable e) {
        return new StoreUnavailableException("cannot store a " + settings.what() + " in " + settings.place() + ": "
                + SqlFailures.describe(e), e);
    }

    private static <T, R> void fail(List<Pending<T, R>> batch, RuntimeException e) {
        for (Pending<T, R> p : batch) {
            p.result().completeExceptionally(e);
        }
    }

    /** Refuses new submissions, waits (bounded) until every queued one is written. */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            enough.signalAll();
            running = writer;
        } finally {
            lock.unlock();
        }
        if (running == null) {
            return;
        }
        try {
            if (!running.join(CLOSE_WAIT)) {
                log.warn("{} still busy after {} s at close; {} pending", settings.name(), CLOSE_WAIT.toSeconds(),
                        queued());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
