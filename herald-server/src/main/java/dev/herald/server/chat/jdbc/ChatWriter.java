package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.ChatStoreBusyException;
import dev.herald.server.chat.NewMessage;
import dev.herald.server.chat.SendResult;
import dev.herald.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Group commit of chat messages: one writer thread takes every waiting send (up to
 * {@link #MAX_BATCH} messages or {@link #MAX_BATCH_BYTES}) into one {@link AppendTransaction},
 * commits, hands each new message to its sender's {@code committed} callback in commit order,
 * then completes the senders.
 *
 * <p>If a batch fails for a reason other than a lost connection (a unique violation from a retry
 * on another node, a deadlock, a lock timeout), its messages are run again one by one, so only
 * the bad one fails. If the connection is lost, every sender of the batch fails with
 * {@link StoreUnavailableException}.
 *
 * <p>The queue is capped ({@link WriteLimits}: sends, bytes, and how long the oldest may have
 * waited): a send over a cap fails at once with {@link ChatStoreBusyException}, so a slow
 * database costs refusals, not thousands of parked threads or acks that come after the client
 * gave up. Refusals are logged in aggregate, at most one line per
 * {@link #REFUSAL_LOG_INTERVAL}.
 *
 * <p>The writer thread is started by the first send and ends after {@link #IDLE} without work;
 * while it runs it holds one pool connection, which it returns whenever the queue is empty.
 * {@link #close} refuses new sends and waits (bounded) until the queue is written. Thread-safe;
 * the queue fields are guarded by {@link #lock}, the connection belongs to the writer thread.
 */
final class ChatWriter implements AutoCloseable {
    static final int MAX_BATCH = 512;
    static final long MAX_BATCH_BYTES = 4L << 20;
    /** Attempts of one message that keeps losing races (unique key, deadlock) before it fails. */
    private static final int RACE_ATTEMPTS = 4;
    static final Duration IDLE = Duration.ofSeconds(1);
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ChatWriter.class);

    private record Pending(NewMessage message, Consumer<ChatMessage> committed,
                           CompletableFuture<Optional<SendResult>> result, long bytes, long queuedAt) {
    }

    private final DataSource pool;
    private final WriteLimits limits;
    private final LongSupplier nanoTime;
    private final AppendTransaction transaction = new AppendTransaction();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closed;
    private Thread writer;
    private long refusedSinceLog;
    private long firstRefusalAt;
    private long refusalLoggedAt;
    private long batches;
    private long messages;

    // Only on the writer thread.
    private Connection connection;

    /** @param nanoTime the clock of queue delays ({@link System#nanoTime} but in tests) */
    ChatWriter(DataSource pool, WriteLimits limits, LongSupplier nanoTime) {
        this.pool = pool;
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.refusalLoggedAt = nanoTime.getAsLong() - REFUSAL_LOG_INTERVAL.toNanos();
    }

    /**
     * Queues a message; the future completes after commit (or fails). {@code committed} runs on
     * the writer thread after the commit, before the future completes, only if the message was
     * newly stored.
     *
     * @throws ChatStoreBusyException     at once when the queue is full
     * @throws StoreUnavailableException at once when the writer is closed
     */
    CompletableFuture<Optional<SendResult>> submit(NewMessage message, Consumer<ChatMessage> committed) {
        long bytes = 2L * (message.content().length()
                + (message.senderName() == null ? 0 : message.senderName().length())) + 256;
        CompletableFuture<Optional<SendResult>> result = new CompletableFuture<>();
        String refusalLine = null;
        int waiting;
        long waitedMs;
        boolean accepted = false;
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("the chat store is closed", null);
            }
            waiting = queue.size();
            long now = nanoTime.getAsLong();
            Pending oldest = queue.peek();
            waitedMs = oldest == null ? 0 : TimeUnit.NANOSECONDS.toMillis(now - oldest.queuedAt());
            if (waiting >= limits.maxQueued() || queuedBytes + bytes > limits.maxQueuedBytes()
                    || oldest != null && now - oldest.queuedAt() > limits.maxQueueDelay().toNanos()) {
                if (refusedSinceLog++ == 0) {
                    firstRefusalAt = now;
                }
                refusalLine = refusalLineIfDue(false);
            } else {
                accepted = true;
                queue.add(new Pending(message, committed, result, bytes, now));
                queuedBytes += bytes;
                if (writer == null) {
                    writer = Thread.ofPlatform().name("herald-chat-writer").daemon(true).start(this::run);
                } else {
                    notEmpty.signal();
                }
            }
        } finally {
            lock.unlock();
        }
        if (refusalLine != null) {
            log.warn(refusalLine);
        }
        if (!accepted) {
            throw new ChatStoreBusyException("the server is storing messages as fast as it can and " + waiting
                    + " are waiting (the oldest for " + waitedMs + " ms); nothing was stored, retry later"
                    + " (with the same client_id)");
        }
        return result;
    }

    /** The aggregated refusal line when one is due (or forced), else null. Under the lock. */
    private String refusalLineIfDue(boolean force) {
        long now = nanoTime.getAsLong();
        if (refusedSinceLog == 0 || !force && now - refusalLoggedAt < REFUSAL_LOG_INTERVAL.toNanos()) {
            return null;
        }
        String line = "chat write queue full: refused " + refusedSinceLog + " send(s) in the last "
                + (TimeUnit.NANOSECONDS.toSeconds(now - firstRefusalAt) + 1) + " s ("
                + queue.size() + " waiting; caps " + limits.maxQueued() + " sends, " + limits.maxQueueDelay().toMillis()
                + " ms); the database is too slow for the offered load";
        refusedSinceLog = 0;
        refusalLoggedAt = now;
        return line;
    }

    /** Messages waiting for the writer. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Committed transactions and the messages they stored, since construction: {batches, messages}. */
    long[] committed() {
        lock.lock();
        try {
            return new long[] {batches, messages};
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (true) {
                List<Pending> batch = poll();
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
                    // Never leave a sender waiting, whatever broke.
                    log.error("chat writer failed on a batch of {}", batch.size(), t);
                    fail(batch, new StoreUnavailableException("chat writer failed: " + Sql.describe(t), t));
                    releaseConnection();
                }
            }
        } finally {
            releaseConnection();
            handOver();
        }
    }

    /**
     * The writer ends. If it ends by surprise (an Error outside a batch) with sends still queued,
     * another one takes over, so no sender waits for a writer that is gone.
     */
    private void handOver() {
        lock.lock();
        try {
            if (writer == Thread.currentThread()) {
                writer = queue.isEmpty() ? null
                        : Thread.ofPlatform().name("herald-chat-writer").daemon(true).start(this::run);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next batch, possibly empty; never waits. */
    private List<Pending> poll() {
        lock.lock();
        try {
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

    /** Waits for work up to {@link #IDLE}; false (and the writer ends) when none came or the writer closed. */
    private boolean awaitWork() {
        String refusalLine;
        boolean more;
        lock.lock();
        try {
            refusalLine = refusalLineIfDue(true); // the rest of a burst, before going quiet
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

    private void write(List<Pending> batch) {
        // Senders that gave up waiting are skipped: they were told it failed.
        batch.removeIf(p -> p.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
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
            rollback(c);
            if (Sql.isConnectionFailure(e)) {
                releaseConnection();
                fail(batch, unavailable(e));
            } else if (batch.size() == 1 && !Sql.isRace(e)) {
                fail(batch, unavailable(e));
            } else {
                log.debug("chat batch of {} rolled back ({}); writing its messages one by one", batch.size(),
                        Sql.describe(e));
                for (Pending p : batch) {
                    writeAlone(p);
                }
            }
        }
    }

    /** One message in its own transaction, again while it loses races to other nodes. */
    private void writeAlone(Pending p) {
        for (int attempt = 1; ; attempt++) {
            Connection c;
            try {
                c = connection();
                commitAndReport(c, List.of(p));
                return;
            } catch (SQLException | RuntimeException e) {
                if (connection != null) {
                    rollback(connection);
                }
                boolean lost = Sql.isConnectionFailure(e);
                if (lost) {
                    releaseConnection();
                }
                if (!lost && Sql.isRace(e) && attempt < RACE_ATTEMPTS) {
                    continue;
                }
                log.warn("chat send failed after {} attempt(s) conversation={} user={}: {}", attempt,
                        p.message().conversationId(), p.message().senderId(), Sql.describe(e));
                p.result().completeExceptionally(unavailable(e));
                return;
            }
        }
    }

    /** Runs and commits the batch, runs the callbacks of the new messages in commit order, completes the senders. */
    private void commitAndReport(Connection c, List<Pending> batch) throws SQLException {
        List<NewMessage> messages = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            messages.add(p.message());
        }
        AppendTransaction.Result result = transaction.run(c, messages);
        c.commit();
        count(result.stored().size());
        for (AppendTransaction.Stored s : result.stored()) {
            try {
                batch.get(s.index()).committed().accept(s.message());
            } catch (RuntimeException e) {
                log.error("committed callback failed conversation={} seq={}", s.message().conversationId(),
                        s.message().seq(), e);
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(result.answers().get(i));
        }
    }

    private void count(int stored) {
        lock.lock();
        try {
            batches++;
            messages += stored;
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
            log.debug("cannot restore autocommit on a chat writer connection", e);
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("cannot close a chat writer connection", e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    private static StoreUnavailableException unavailable(Throwable e) {
        return new StoreUnavailableException("cannot store a message: " + Sql.describe(e), e);
    }

    private static void fail(List<Pending> batch, RuntimeException e) {
        for (Pending p : batch) {
            p.result().completeExceptionally(e);
        }
    }

    /** Refuses new sends, waits (bounded) until every queued one is written. */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            running = writer;
        } finally {
            lock.unlock();
        }
        if (running == null) {
            return;
        }
        try {
            if (!running.join(Duration.ofSeconds(30))) {
                log.warn("chat writer still busy after 30 s at close; {} messages pending", queued());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
