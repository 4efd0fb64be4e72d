package dev.herald.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.config.DataDirectory;
import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.ScheduledPublish;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

/**
 * The {@link Store} on JDBC: an embedded H2 file (the default) or PostgreSQL (clusters), migrated
 * with Flyway at open. See {@code docs/store.md} for the schema and the reasoning.
 *
 * <ul>
 *   <li>Publishes go through a writer thread that commits every pending request in one
 *       transaction (group commit); {@link #publish} returns after commit, or throws
 *       {@link StoreUnavailableException} within {@link #PUBLISH_WAIT} at most. On PostgreSQL
 *       there are {@link #POSTGRESQL_LANES} writers ({@link #lane}): one left the database's
 *       cores half idle, waiting on round trips and the WAL flush.</li>
 *   <li>Seqs come from a per-stream counter row updated in the publishing transaction, so they are
 *       gap-free and commit-ordered per stream, also with several stores on one PostgreSQL.</li>
 *   <li>H2 is opened with {@code WRITE_DELAY=0}: a commit is in the file before publish returns,
 *       so a killed JVM loses nothing acknowledged (an OS crash may lose the last commits). H2
 *       then keeps a chunk per commit and no housekeeping of its own; {@link H2Housekeeping}
 *       does it every 10 s.</li>
 *   <li>Unread counts are kept for every stream (topic streams too) in the stream row.</li>
 *   <li>Idempotency keys are kept at least {@link #KEY_RETENTION}, then purged every 10 minutes.</li>
 * </ul>
 *
 * <p>Thread-safe. Every method blocks on I/O: never call it from an event loop.
 */
public final class JdbcStore implements Store {

    /** How long a publisher waits for its commit before it is told the store is unavailable. */
    public static final Duration PUBLISH_WAIT = Duration.ofSeconds(15);
    /** Idempotency keys are honoured at least this long. */
    public static final Duration KEY_RETENTION = Duration.ofHours(24);
    /**
     * Publishes (single or batches) waiting for the writer at most: 20,000, 64 MiB of JSON, or
     * {@link #PUBLISH_WAIT} for the oldest (a publisher that waited longer has been told it failed).
     */
    static final GroupCommitWriter.Limits WRITE_LIMITS = new GroupCommitWriter.Limits(20_000, 64L << 20, PUBLISH_WAIT);
    /**
     * Publish writers on PostgreSQL. H2 keeps one: a publish to several streams can make one
     * lane wait for stream rows the other holds, and H2 gives such a wait up after its lock
     * timeout (1 s), where PostgreSQL waits for the commit.
     */
    static final int POSTGRESQL_LANES = 2;
    private static final int MAX_KEY_LENGTH = 255;
    /** File name of the embedded H2 database in the data dir, as {@link StoreUrl} builds it. */
    static final String H2_BASE_NAME = "herald";

    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

    private final StoreUrl url;
    private final HikariDataSource pool;
    private final StreamRows streamRows = new StreamRows();
    private final Categories categories = new Categories(System::nanoTime);
    /** The writers, each with its queue, thread and connection; see {@link #lane}. */
    private final WriterLanes<PublishRequest, PublishResult> writers;
    private final StoreTimers timers;
    private final ScheduledExecutorService purger;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Told after a commit that wrote push jobs; see {@link #onPushJobs}. */
    private volatile Runnable pushJobsCommitted = () -> { };
    /** The data dir when the store is the embedded H2 file in it (its files are kept 0600); else null. */
    private final Path h2Dir;

    private JdbcStore(StoreUrl url, HikariDataSource pool, CommitListener listener, MeterRegistry registry, Path h2Dir) {
        this.url = url;
        this.h2Dir = h2Dir;
        this.pool = pool;
        this.timers = new StoreTimers(registry);
        int lanes = url.kind() == StoreUrl.Kind.POSTGRESQL ? POSTGRESQL_LANES : 1;
        Lock commitOrder = new ReentrantLock();
        this.writers = new WriterLanes<>(lanes, i -> new GroupCommitWriter<>(pool,
                new PublishTransaction(streamRows, listener, categories, () -> pushJobsCommitted.run()),
                new GroupCommitWriter.Settings(WriterLanes.name("store writer", lanes, i), "publish",
                        url.description(), WRITE_LIMITS,
                        backlog -> new StoreUnavailableException("store write queue is full (" + backlog.waiting()
                                + " publishes pending, the oldest for " + backlog.oldestWaitedMs() + " ms); "
                                + url.description() + " is too slow or down", null),
                        timers.get("batch"), System::nanoTime, lanes == 1 ? null : commitOrder)));
        Gauge.builder("herald.store.queued", writers, WriterLanes::queued)
                .description("publishes waiting for the store writers").register(registry);
        this.purger = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-store-purge").daemon(true).factory());
        purger.scheduleWithFixedDelay(this::purgeQuietly, 1, 10, TimeUnit.MINUTES);
        if (url.kind() == StoreUrl.Kind.H2 && !url.jdbcUrl().toUpperCase(Locale.ROOT).startsWith("JDBC:H2:MEM:")) {
            long every = H2Housekeeping.INTERVAL.toMillis();
            purger.scheduleWithFixedDelay(this::compactQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Flyway set up for this schema on H2 or PostgreSQL: the migrations both databases run
     * ({@code db/migration}), those only H2 runs ({@code db/migration-h2}, see
     * {@code V102__h2_chat_without_foreign_keys.sql}), and the placeholders whose values differ
     * by database (see {@code V101__chat_message_id_cache.sql}). Whoever migrates (the node,
     * tests) starts from here, so every database gets the same schema a node would.
     */
    public static FluentConfiguration migrations(DataSource pool, boolean h2) {
        String[] locations = h2 ? new String[] {"classpath:db/migration", "classpath:db/migration-h2"}
                : new String[] {"classpath:db/migration"};
        return Flyway.configure().dataSource(pool).locations(locations)
                .placeholders(Map.of("messageIdCache", h2 ? "65536" : "1"));
    }

    /**
     * Opens (and migrates) the store.
     *
     * @param storeUrl null for the H2 file {@code dataDir/herald}; {@code postgresql://[user@]host:port/db[?currentSchema=x]};
     *                 or a {@code jdbc:h2:} / {@code jdbc:postgresql:} URL
     * @param dataDir  directory of the H2 file, created if missing (unused for PostgreSQL)
     * @param listener receives every committed batch on the writer thread
     * @param registry where the {@code herald.store.latency} timers go
     * @throws IllegalArgumentException   for an unsupported URL
     * @throws StoreUnavailableException when the database cannot be opened or migrated
     */
    public static JdbcStore open(String storeUrl, Path dataDir, CommitListener listener, MeterRegistry registry) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(registry, "registry");
        StoreUrl url = StoreUrl.parse(storeUrl, Objects.requireNonNull(dataDir, "dataDir"));
        String failure = url.kind() == StoreUrl.Kind.H2 ? "cannot open " : "cannot connect to ";
        if (storeUrl == null) {
            try {
                Files.createDirectories(dataDir);
                createOwnerOnly(dataDir.resolve(H2_BASE_NAME + ".mv.db"));
            } catch (IOException e) {
                throw new StoreUnavailableException(failure + url.description() + ": cannot create directory "
                        + dataDir.toAbsolutePath() + " (" + e + ")", e);
            }
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(url));
        } catch (RuntimeException e) {
            throw new StoreUnavailableException(failure + url.description() + ": " + rootMessage(e), e);
        }
        try {
            var flyway = migrations(pool, url.kind() == StoreUrl.Kind.H2);
            if (url.schema() != null) {
                flyway.schemas(url.schema()).defaultSchema(url.schema()).createSchemas(true);
            }
            flyway.load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreUnavailableException("cannot migrate " + url.description() + ": " + rootMessage(e), e);
        }
        if (storeUrl == null) {
            ownerOnlyH2Files(dataDir);
        }
        log.info("store open: {}", url.description());
        return new JdbcStore(url, pool, listener, registry, storeUrl == null ? dataDir : null);
    }

    /**
     * Creates the H2 file empty and owner-only (0600) when it does not exist yet, so the
     * database is never readable by others, not even between H2 creating it and a chmod. H2
     * treats an empty file as a new database.
     */
    private static void createOwnerOnly(Path file) throws IOException {
        if (Files.exists(file) || Files.getFileAttributeView(file.getParent(), PosixFileAttributeView.class) == null) {
            return;
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile: ownerOnlyH2Files tightens it after the open.
        }
    }

    /**
     * Makes every file of the embedded database owner-only (0600): the one created above, files
     * H2 made itself ({@code herald.trace.db}, temp files) and those of an older Herald that
     * left them 0644. Called after open and at close, since H2 writes its trace file on demand.
     */
    private static void ownerOnlyH2Files(Path dataDir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, H2_BASE_NAME + ".*")) {
            for (Path file : files) {
                DataDirectory.ownerOnly(file);
            }
        } catch (IOException e) {
            log.warn("cannot make the database files in {} owner-only (0600): {}", dataDir.toAbsolutePath(), e.toString());
        }
    }

    private static HikariConfig poolConfig(StoreUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("herald-store");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(url.kind() == StoreUrl.Kind.H2 ? 8 : 12);
        config.setMinimumIdle(2);
        // Bounded waits: a database that is down fails callers within seconds, never hangs them.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(true);
        return config;
    }

    @Override
    public PublishResult publish(PublishRequest request) {
        check(request);
        Timer.Sample sample = Timer.start();
        try {
            return await(lane(request).submit(request, bytes(request)));
        } finally {
            sample.stop(timers.get("publish"));
        }
    }

    /** Never blocks: the writer's queue takes a lock held only for queue operations. */
    @Override
    public CompletableFuture<PublishResult> publishAsync(PublishRequest request, ScheduledExecutorService timer) {
        check(request);
        long start = System.nanoTime();
        CompletableFuture<PublishResult> result = WriterWait.within(lane(request).submit(request, bytes(request)), PUBLISH_WAIT,
                "publish", url.description(), timer);
        Timer latency = timers.get("publish");
        result.whenComplete((r, e) -> latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        return result;
    }

    @Override
    public List<PublishResult> publishAll(List<PublishRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests: at least one");
        }
        requests.forEach(JdbcStore::check);
        Timer.Sample sample = Timer.start();
        try {
            long bytes = 0;
            for (PublishRequest request : requests) {
                bytes += bytes(request);
            }
            return await(lane(requests.get(0)).submitAll(requests, bytes));
        } finally {
            sample.stop(timers.get("publishAll"));
        }
    }

    private static void check(PublishRequest request) {
        Objects.requireNonNull(request, "request");
        request.streams().forEach(JdbcStore::checkStream);
        checkLength("type", request.type());
        if (request.idempotencyKey() != null) {
            checkLength("idempotencyKey", request.idempotencyKey());
            checkLength("requestHash", request.requestHash());
        }
    }

    /**
     * The writer of a request (of a batch: of its first): by its first stream, so a stream's
     * single-stream publishes always share one queue and commit in the order they were queued.
     * A request to several streams (a user list, everyone) may touch streams of the other lanes
     * too; the stream rows' locks then order the seqs, and the shared commit order lock what
     * delivery gets. Publishes to one stream from concurrent requests were never ordered.
     */
    private GroupCommitWriter<PublishRequest, PublishResult> lane(PublishRequest request) {
        return writers.of(request.streams().isEmpty() ? 0 : request.streams().get(0).hashCode());
    }

    /** A request's weight in the writer's queue: its JSON and its stream names, roughly. */
    private static long bytes(PublishRequest request) {
        return request.json().length() + 64L * (request.streams().size() + 1);
    }

    /** Waits for the writer, bounded; a publish that gave up is skipped if not yet taken. */
    private <T> T await(CompletableFuture<T> result) {
        return WriterWait.await(result, PUBLISH_WAIT, "publish", url.description());
    }

    @Override
    public List<StoredNotification> readSince(String stream, long afterSeq, int limit) {
        checkStream(stream);
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be at least 1, was " + limit);
        }
        return timers.call("readSince", url, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + NotificationRows.COLUMNS
                    + " FROM notifications WHERE stream_key = ? AND seq > ?" + FilterSql.NOT_EXPIRED + " ORDER BY seq LIMIT ?")) {
                ps.setString(1, stream);
                ps.setLong(2, afterSeq);
                ps.setObject(3, NotificationRows.toDb(Instant.now()));
                ps.setInt(4, limit);
                return NotificationRows.readAll(ps);
            }
        }, pool);
    }

    @Override
    public NotificationPage list(String stream, NotificationQuery query) {
        checkStream(stream);
        Objects.requireNonNull(query, "query");
        FilterSql where = FilterSql.visible(query.filter(), Instant.now());
        String sql = "SELECT " + NotificationRows.COLUMNS + " FROM notifications WHERE stream_key = ? AND seq < ?"
                + where.sql() + " ORDER BY seq DESC LIMIT ?";
        return timers.call("list", url, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, stream);
                ps.setLong(2, query.beforeSeq());
                ps.setInt(where.bind(ps, 3), query.limit() + 1);
                List<StoredNotification> rows = NotificationRows.readAll(ps);
                if (rows.size() <= query.limit()) {
                    return new NotificationPage(rows, null);
                }
                List<StoredNotification> page = rows.subList(0, query.limit());
                return new NotificationPage(page, page.getLast().seq());
            }
        }, pool);
    }

    @Override
    public StreamState streamState(String stream) {
        checkStream(stream);
        return timers.call("streamState", url, c -> InboxRows.state(c, stream).orElse(StreamState.EMPTY), pool);
    }

    @Override
    public void ensureStreams(Collection<String> streams) {
        TreeSet<String> unknown = new TreeSet<>();  // sorted: concurrent writers lock in one order
        for (String stream : streams) {
            checkStream(stream);
            if (!streamRows.isKnown(stream)) {
                unknown.add(stream);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        timers.call("ensureStreams", url, c -> {
            c.setAutoCommit(false);
            try {
                streamRows.insertMissing(c, unknown);
                c.commit();
                streamRows.remember(unknown);
            } catch (SQLException e) {
                c.rollback();
                if (!SqlFailures.isRace(e)) {
                    throw e;
                }
                // Another node created one of them meanwhile: one at a time, a winner is fine.
                c.setAutoCommit(true);
                for (String stream : unknown) {
                    streamRows.ensure(c, stream);
                }
            }
            return null;
        }, pool);
    }

    @Override
    public InboxChange apply(String stream, InboxAction action, Collection<String> ids) {
        checkStream(stream);
        Objects.requireNonNull(action, "action");
        for (String id : ids) {
            Objects.requireNonNull(id, "ids: an id is null");
        }
        List<String> copy = List.copyOf(ids);
        return timers.inTransaction("inbox." + action.wireName(), url,
                c -> InboxRows.applyToIds(c, stream, action, copy), pool);
    }

    @Override
    public InboxChange applyToMatching(String stream, InboxAction action, InboxFilter filter,
                                       long afterSeq, long upToSeq, int limit) {
        checkStream(stream);
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(filter, "filter");
        return timers.inTransaction("inbox." + action.wireName(), url,
                c -> InboxRows.applyToMatching(c, stream, action, filter, afterSeq, upToSeq, limit), pool);
    }

    @Override
    public List<InboxChange> purgeDue(Instant now, Instant retentionCutoff, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(retentionCutoff, "retentionCutoff");
        if (limit < 1 || limit > InboxRows.MAX_IDS) {
            throw new IllegalArgumentException("limit: 1.." + InboxRows.MAX_IDS + ", was " + limit);
        }
        return timers.inTransaction("purge.notifications", url, c -> InboxRows.purge(c, now, retentionCutoff, limit), pool);
    }

    @Override
    public boolean schedule(ScheduledPublish publish) {
        Objects.requireNonNull(publish, "publish");
        return timers.call("schedule", url, c -> ScheduledRows.insert(c, publish), pool);
    }

    @Override
    public boolean cancelScheduled(String key) {
        return timers.call("schedule.cancel", url, c -> ScheduledRows.delete(c, key), pool);
    }

    @Override
    public List<ScheduledPublish> claimDue(Instant now, Duration lease, int limit) {
        return timers.call("schedule.claim", url, c -> ScheduledRows.claimDue(c, now, lease, limit), pool);
    }

    @Override
    public void released(String key) {
        timers.call("schedule.release", url, c -> ScheduledRows.delete(c, key), pool);
    }

    @Override
    public Preferences preferences(String userStream) {
        checkStream(userStream);
        return timers.call("preferences", url, c -> PreferenceRows.read(c, userStream), pool);
    }

    @Override
    public void setPreferences(String userStream, Preferences preferences) {
        checkStream(userStream);
        String body = preferences.toJson().toString();
        ensureStreams(List.of(userStream));
        timers.inTransaction("preferences.set", url, c -> {
            PreferenceRows.write(c, userStream, body); // its first statement takes the stream row's lock
            return null;
        }, pool);
    }

    @Override
    public List<InboxCategory> categories() {
        return timers.call("categories", url, Categories::all, pool);
    }

    /** From the settings the publish writers keep ({@link Categories}): a query only when they are stale. */
    @Override
    public Optional<InboxCategory> category(String name) {
        Map<String, InboxCategory> settings = categories.ifFresh();
        if (settings == null) {
            settings = timers.call("categories", url, categories::current, pool);
        }
        return Optional.ofNullable(settings.get(name));
    }

    @Override
    public void putCategory(InboxCategory category) {
        Objects.requireNonNull(category, "category");
        timers.inTransaction("categories.put", url, c -> {
            Categories.put(c, category);
            return null;
        }, pool);
        categories.changed();
    }

    @Override
    public boolean deleteCategory(String name) {
        boolean deleted = timers.call("categories.delete", url, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM inbox_categories WHERE category = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() > 0;
            }
        }, pool);
        categories.changed();
        return deleted;
    }

    @Override
    public List<InboxCounts> counts(String stream, List<InboxFilter> filters) {
        checkStream(stream);
        List<InboxFilter> copy = List.copyOf(filters);
        return timers.call("counts", url, c -> InboxRows.counts(c, stream, copy), pool);
    }

    /**
     * The connection pool, for the parts of Herald that keep their own tables in the same
     * database (chat, presence). Their migrations run with this store's (V100 and up).
     */
    /**
     * Tells {@code wake} (on a writer thread, so it must not block) after each commit that wrote
     * jobs to the push outbox, so this node's dispatcher takes them at once rather than at its
     * next poll.
     */
    public void onPushJobs(Runnable wake) {
        pushJobsCommitted = java.util.Objects.requireNonNull(wake, "wake");
    }

    public javax.sql.DataSource dataSource() {
        return pool;
    }

    @Override
    public boolean isReachable() {
        if (closed.get()) {
            return false;
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("herald-store-ping").start(() -> {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.setQueryTimeout(2);
                s.execute("SELECT 1");
                answer.complete(true);
            } catch (Exception e) {
                answer.complete(false);
            }
        });
        try {
            return answer.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Deletes idempotency keys created before {@code cutoff}; returns how many. */
    int purgeIdempotencyKeys(Instant cutoff) {
        return timers.call("purge", url, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE created_at < ?")) {
                ps.setObject(1, NotificationRows.toDb(cutoff));
                return ps.executeUpdate();
            }
        }, pool);
    }

    /** One housekeeping round of the H2 file ({@link H2Housekeeping}); the store must be H2. */
    H2Housekeeping.Round compactH2() {
        return timers.call("compact", url, H2Housekeeping::run, pool);
    }

    private void compactQuietly() {
        try {
            H2Housekeeping.Round r = compactH2();
            if (r.compacted()) {
                log.debug("compacted {}: {} chunks ({}% live) -> {} chunks, file now {} KiB", url.description(),
                        r.chunksBefore(), r.livePercentBefore(), r.chunksAfter(), r.fileBytesAfter() >> 10);
            }
        } catch (RuntimeException e) {
            log.warn("compacting {} failed: {}", url.description(), e.getMessage());
        }
    }

    private void purgeQuietly() {
        try {
            int purged = purgeIdempotencyKeys(Instant.now().minus(KEY_RETENTION).minus(Duration.ofHours(1)));
            if (purged > 0) {
                log.debug("purged {} expired idempotency keys", purged);
            }
        } catch (RuntimeException e) {
            log.warn("idempotency key purge failed: {}", e.getMessage());
        }
    }

    /** Drains pending publishes, then closes the pool. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        purger.shutdownNow();
        writers.close();
        pool.close();
        if (h2Dir != null) {
            ownerOnlyH2Files(h2Dir);
        }
        log.info("store closed: {}", url.description());
    }

    @Override
    public String toString() {
        return "JdbcStore[" + url.description() + "]";
    }

    private static void checkStream(String stream) {
        if (stream == null || stream.isEmpty()) {
            throw new IllegalArgumentException("stream: must not be empty");
        }
        checkLength("stream", stream);
    }

    private static void checkLength(String name, String value) {
        if (value.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(name + ": longer than " + MAX_KEY_LENGTH + " characters");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return SqlFailures.describe(root);
    }
}
