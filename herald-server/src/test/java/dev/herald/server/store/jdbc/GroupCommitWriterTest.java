package dev.herald.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.jdbc.GroupCommitWriter.Limits;
import dev.herald.server.store.jdbc.GroupCommitWriter.Outcome;
import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The guarantees of the group commit that notifications and chat share, tested once, on a real
 * H2 file with a transaction of the test's own: a row per write in table {@code items}.
 *
 * <p>A write whose value is {@code "hold"} makes its batch wait inside the transaction until
 * the test opens the gate, so the writes submitted meanwhile queue up and go together in the
 * next batch, deterministically. {@code "refuse"} is refused by the transaction,
 * {@code "lose connection"} fails it as a lost connection would, and two writes with one key
 * collide on the primary key as a concurrent node's would.
 */
class GroupCommitWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Limits ROOMY = new Limits(1000, 1L << 20, Duration.ofHours(1));

    private record Item(String key, String value) {
    }

    /** The test's transaction: inserts each item, reports each committed batch. */
    private static final class Items implements GroupCommitWriter.Transaction<Item, String> {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch holding = new CountDownLatch(1);
        /** Each committed batch's keys, in the order the writer reported them. */
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final Set<String> reported = ConcurrentHashMap.newKeySet();
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public List<Outcome<String>> run(Connection c, List<Item> writes) throws SQLException {
            runs.incrementAndGet();
            List<Outcome<String>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (k, v) VALUES (?, ?)")) {
                for (Item item : writes) {
                    switch (item.value()) {
                        case "hold" -> {
                            holding.countDown();
                            awaitGate();
                        }
                        case "refuse" -> {
                            out.add(Outcome.refused(new IllegalArgumentException("refused " + item.key())));
                            continue;
                        }
                        case "lose connection" -> throw new SQLNonTransientConnectionException("connection lost", "08006");
                        default -> {
                        }
                    }
                    ps.setString(1, item.key());
                    ps.setString(2, item.value());
                    ps.executeUpdate();
                    out.add(Outcome.of("stored " + item.key()));
                }
            }
            return out;
        }

        private void awaitGate() {
            try {
                if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void committed(List<Item> writes, List<Outcome<String>> outcomes) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++) {
                if (outcomes.get(i).result() != null) {
                    keys.add(writes.get(i).key());
                    reported.add(writes.get(i).key());
                }
            }
            batches.add(keys);
        }

        void awaitHolding() throws InterruptedException {
            assertThat(holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("a batch is held").isTrue();
        }
    }

    private Path dir;
    private HikariDataSource pool;
    private final Items items = new Items();
    private final List<GroupCommitWriter<Item, String>> writers = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("herald-group-commit-");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath());
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(2_000);
        pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (k VARCHAR(64) PRIMARY KEY, v VARCHAR(64))");
        }
    }

    @AfterEach
    void close() {
        items.gate.countDown();
        writers.forEach(GroupCommitWriter::close);
        pool.close();
        TempDirs.delete(dir);
    }

    private GroupCommitWriter<Item, String> writer(Limits limits, AtomicLong clock) {
        GroupCommitWriter<Item, String> writer = new GroupCommitWriter<>(pool, items, new GroupCommitWriter.Settings(
                "test writer", "item", "the test database", limits,
                backlog -> new IllegalStateException("full: " + backlog.waiting() + " waiting, oldest "
                        + backlog.oldestWaitedMs() + " ms"),
                null, clock == null ? System::nanoTime : clock::get));
        writers.add(writer);
        return writer;
    }

    /** A writer whose batches linger for company up to {@code linger}, on a clock the test moves. */
    private GroupCommitWriter<Item, String> lingering(Duration linger, AtomicLong clock) {
        GroupCommitWriter<Item, String> writer = new GroupCommitWriter<>(pool, items, new GroupCommitWriter.Settings(
                "test writer", "item", "the test database", ROOMY,
                backlog -> new IllegalStateException("full"), null, clock::get).lingering(linger));
        writers.add(writer);
        return writer;
    }

    private static Item item(String key) {
        return new Item(key, "v");
    }

    private static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private List<String> storedKeys() throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k FROM items ORDER BY k")) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }

    /** Holds the writer inside a batch of one "hold" write; what is submitted next queues up. */
    private CompletableFuture<String> hold(GroupCommitWriter<Item, String> writer) throws InterruptedException {
        CompletableFuture<String> held = writer.submit(new Item("held", "hold"), 10);
        items.awaitHolding();
        return held;
    }

    @Test
    void concurrentWritesAreEachAnsweredOnceAfterTheirBatchWasHandedOnInCommitOrder() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        int writes = 400;
        List<CompletableFuture<Boolean>> answeredAfterReport = new ArrayList<>();
        try (ExecutorService callers = Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<CompletableFuture<String>>> submitted = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                String key = "k" + i;
                submitted.add(callers.submit(() -> writer.submit(item(key), 10)));
            }
            for (int i = 0; i < writes; i++) {
                String key = "k" + i;
                // Runs on the writer thread when the answer is given: the batch must have been reported.
                answeredAfterReport.add(submitted.get(i).get().thenApply(answer -> {
                    assertThat(answer).isEqualTo("stored " + key);
                    return items.reported.contains(key);
                }));
            }
        }
        for (CompletableFuture<Boolean> f : answeredAfterReport) {
            assertThat(done(f)).isTrue();
        }
        List<String> reported = items.batches.stream().flatMap(List::stream).toList();
        assertThat(reported).hasSize(writes).doesNotHaveDuplicates();
        assertThat(storedKeys()).hasSize(writes);
        assertThat(writer.commits()).isEqualTo(items.batches.size());
    }

    @Test
    void writesWaitingTogetherCommitInOneTransactionInQueueOrder() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(writer.submit(item("q" + i), 10));
        }
        assertThat(writer.queued()).isEqualTo(5);
        items.gate.countDown();
        done(held);
        for (CompletableFuture<String> f : queued) {
            done(f);
        }
        assertThat(items.batches).containsExactly(List.of("held"), List.of("q0", "q1", "q2", "q3", "q4"));
    }

    @Test
    void aGroupWithARefusedWriteStoresNothingOfItAndTheRestOfItsBatchCommits() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> before = writer.submit(item("before"), 10);
        CompletableFuture<List<String>> group = writer.submitAll(
                List.of(item("g1"), new Item("g2", "refuse"), item("g3")), 30);
        CompletableFuture<List<String>> goodGroup = writer.submitAll(List.of(item("h1"), item("h2")), 20);
        CompletableFuture<String> after = writer.submit(item("after"), 10);
        items.gate.countDown();
        done(held);

        assertThat(done(before)).isEqualTo("stored before");
        assertThatThrownBy(() -> done(group)).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused g2");
        assertThat(done(goodGroup)).containsExactly("stored h1", "stored h2");
        assertThat(done(after)).isEqualTo("stored after");
        assertThat(storedKeys()).containsExactlyInAnyOrder("held", "before", "h1", "h2", "after");
        // Rerun group by group, each group reported whole, in queue order.
        assertThat(items.batches).containsExactly(List.of("held"), List.of("before"), List.of("h1", "h2"),
                List.of("after"));
    }

    @Test
    void aRefusedWriteInAGroupOfOneFailsOnlyItsCaller() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> a = writer.submit(item("a"), 10);
        CompletableFuture<String> refused = writer.submit(new Item("r", "refuse"), 10);
        CompletableFuture<String> b = writer.submit(item("b"), 10);
        items.gate.countDown();
        done(held);

        assertThat(done(a)).isEqualTo("stored a");
        assertThatThrownBy(() -> done(refused)).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(done(b)).isEqualTo("stored b");
        assertThat(items.batches).containsExactly(List.of("held"), List.of("a", "b"));
    }

    @Test
    void aBatchThatLosesARaceIsRerunGroupByGroupAndOnlyTheLoserFails() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        assertThat(done(writer.submit(item("taken"), 10))).isEqualTo("stored taken");
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> a = writer.submit(item("a"), 10);
        CompletableFuture<String> loser = writer.submit(new Item("taken", "again"), 10);
        CompletableFuture<String> b = writer.submit(item("b"), 10);
        items.gate.countDown();
        done(held);

        assertThat(done(a)).isEqualTo("stored a");
        assertThat(done(b)).isEqualTo("stored b");
        assertThatThrownBy(() -> done(loser)).hasCauseInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("cannot store a item in the test database");
        assertThat(storedKeys()).containsExactlyInAnyOrder("taken", "held", "a", "b");
        // One batch run, then a, loser (its race attempts) and b alone.
        assertThat(items.runs.get()).isEqualTo(1 + 1 + 1 + GroupCommitWriter.RACE_ATTEMPTS + 1 + 1);
    }

    @Test
    void aLostConnectionFailsEveryCallerOfTheBatchAndTheWriterRecovers() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> a = writer.submit(item("a"), 10);
        CompletableFuture<String> lost = writer.submit(new Item("x", "lose connection"), 10);
        CompletableFuture<String> b = writer.submit(item("b"), 10);
        items.gate.countDown();
        done(held);

        for (CompletableFuture<String> f : List.of(a, lost, b)) {
            assertThatThrownBy(() -> done(f)).hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("connection lost");
        }
        assertThat(done(writer.submit(item("later"), 10))).isEqualTo("stored later");
        assertThat(storedKeys()).containsExactlyInAnyOrder("held", "later");
    }

    @Test
    void aFullQueueRefusesAtOnceWithTheWritersOwnErrorAndStoresNothingOfIt() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(new Limits(3, 1L << 20, Duration.ofHours(1)), null);
        CompletableFuture<String> held = hold(writer);
        List<CompletableFuture<String>> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(writer.submit(item("q" + i), 10));
        }
        assertThatThrownBy(() -> writer.submit(item("refused"), 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("full: 3 waiting");
        assertThat(writer.queued()).isEqualTo(3);
        items.gate.countDown();
        done(held);
        for (CompletableFuture<String> f : accepted) {
            done(f);
        }
        assertThat(storedKeys()).containsExactlyInAnyOrder("held", "q0", "q1", "q2");
    }

    @Test
    void aSubmissionOverTheByteCapIsRefused() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(new Limits(100, 100, Duration.ofHours(1)), null);
        assertThat(done(writer.submit(item("small"), 100))).isEqualTo("stored small");
        assertThatThrownBy(() -> writer.submitAll(List.of(item("big1"), item("big2")), 101))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("full: 0 waiting");
        assertThat(storedKeys()).containsExactly("small");
    }

    @Test
    void submissionsAreRefusedWhileTheOldestWaitingOneHasWaitedLongerThanTheDelayCap() throws Exception {
        AtomicLong clock = new AtomicLong();
        GroupCommitWriter<Item, String> writer = writer(new Limits(100, 1L << 20, Duration.ofSeconds(2)), clock);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> oldest = writer.submit(item("at 0 s"), 10);
        clock.set(Duration.ofMillis(1500).toNanos());
        CompletableFuture<String> younger = writer.submit(item("at 1.5 s"), 10);
        clock.set(Duration.ofMillis(2500).toNanos());
        assertThatThrownBy(() -> writer.submit(item("at 2.5 s"), 10)).isInstanceOf(IllegalStateException.class)
                .hasMessage("full: 2 waiting, oldest 2500 ms");
        items.gate.countDown();
        done(held);
        done(oldest);
        done(younger);
        assertThat(done(writer.submit(item("queue empty again"), 10))).isEqualTo("stored queue empty again");
    }

    @Test
    void aCallerThatGaveUpBeforeItsBatchWasTakenIsSkipped() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> gaveUp = writer.submit(item("gave up"), 10);
        CompletableFuture<String> waits = writer.submit(item("waits"), 10);
        gaveUp.completeExceptionally(new StoreUnavailableException("not committed in time", null));
        items.gate.countDown();
        done(held);
        assertThat(done(waits)).isEqualTo("stored waits");
        assertThat(storedKeys()).containsExactlyInAnyOrder("held", "waits");
    }

    @Test
    void aGroupLargerThanOneTransactionGoesAloneAndWhole() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(new Limits(10_000, 64L << 20, Duration.ofHours(1)), null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> small = writer.submit(item("small"), 10);
        List<Item> big = new ArrayList<>();
        for (int i = 0; i < GroupCommitWriter.MAX_BATCH + 10; i++) {
            big.add(item(String.format("big%04d", i)));
        }
        CompletableFuture<List<String>> bigGroup = writer.submitAll(big, 10L * big.size());
        CompletableFuture<String> after = writer.submit(item("after"), 10);
        items.gate.countDown();
        done(held);
        done(small);
        assertThat(done(bigGroup)).hasSize(big.size());
        done(after);
        assertThat(items.batches).hasSize(4);
        assertThat(items.batches.get(1)).containsExactly("small");
        assertThat(items.batches.get(2)).hasSize(big.size());
        assertThat(items.batches.get(3)).containsExactly("after");
    }

    @Test
    void anIdleWriterGivesItsConnectionBack() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        assertThat(done(writer.submit(item("one"), 10))).isEqualTo("stored one");
        // The pool has two connections; the writer holds none once idle, so both can be taken.
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
        try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
            assertThat(first.isValid(1)).isTrue();
            assertThat(second.isValid(1)).isTrue();
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndThenRefuses() throws Exception {
        GroupCommitWriter<Item, String> writer = writer(ROOMY, null);
        CompletableFuture<String> held = hold(writer);
        CompletableFuture<String> queued = writer.submit(item("queued"), 10);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(writer::close);
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() ->
                assertThatThrownBy(() -> writer.submit(item("too late"), 10))
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("closed"));
        items.gate.countDown();
        done(closing);
        assertThat(held.isDone()).isTrue();
        assertThat(queued.getNow(null)).isEqualTo("stored queued");
        assertThat(storedKeys()).containsExactlyInAnyOrder("held", "queued");
    }

    @Test
    void writersSharingACommitOrderLockHandOnOneAtATimeInCommitOrderWhileTheirStatementsRunInParallel()
            throws Exception {
        CountDownLatch reporting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger bRuns = new AtomicInteger();
        // Writer a's committed step waits for the test; writer b counts its runs.
        GroupCommitWriter.Transaction<Item, String> a = new GroupCommitWriter.Transaction<>() {
            @Override
            public List<Outcome<String>> run(Connection c, List<Item> writes) throws SQLException {
                return items.run(c, writes);
            }

            @Override
            public void committed(List<Item> writes, List<Outcome<String>> outcomes) {
                reporting.countDown();
                try {
                    assertThat(release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                items.committed(writes, outcomes);
            }
        };
        GroupCommitWriter.Transaction<Item, String> b = new GroupCommitWriter.Transaction<>() {
            @Override
            public List<Outcome<String>> run(Connection c, List<Item> writes) throws SQLException {
                bRuns.incrementAndGet();
                return items.run(c, writes);
            }

            @Override
            public void committed(List<Item> writes, List<Outcome<String>> outcomes) {
                items.committed(writes, outcomes);
            }
        };
        java.util.concurrent.locks.ReentrantLock order = new java.util.concurrent.locks.ReentrantLock();
        List<GroupCommitWriter<Item, String>> lanes = new ArrayList<>();
        for (var transaction : List.of(a, b)) {
            GroupCommitWriter<Item, String> w = new GroupCommitWriter<>(pool, transaction, new GroupCommitWriter.Settings(
                    "lane writer", "item", "the test database", ROOMY, backlog -> new IllegalStateException("full"),
                    null, System::nanoTime, order));
            writers.add(w);
            lanes.add(w);
        }

        CompletableFuture<String> first = lanes.get(0).submit(item("a1"), 10);
        assertThat(reporting.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("a is handing on").isTrue();
        CompletableFuture<String> second = lanes.get(1).submit(item("b1"), 10);
        // b's statements run meanwhile; its commit and report wait for a's to finish.
        await().atMost(WAIT).until(() -> bRuns.get() == 1 && order.hasQueuedThreads());
        assertThat(second).isNotDone();
        release.countDown();
        assertThat(done(first)).isEqualTo("stored a1");
        assertThat(done(second)).isEqualTo("stored b1");
        assertThat(items.batches).containsExactly(List.of("a1"), List.of("b1"));
    }

    // Linger. The clock stands still unless the test moves it, so "the writer is busy" (it looked
    // for work less than the linger ago) holds until then; the linger is far longer than WAIT, so
    // a batch that lingered when it should not have fails the test instead of slowing it.

    private static final Duration LONG_LINGER = Duration.ofMinutes(30);

    @Test
    void whileTheWriterIsBusyABatchWaitsForCompanyUntilEnoughWait() throws Exception {
        AtomicLong clock = new AtomicLong();
        GroupCommitWriter<Item, String> writer = lingering(LONG_LINGER, clock);
        assertThat(done(writer.submit(item("first"), 10))).as("the first write: after a quiet spell")
                .isEqualTo("stored first");

        List<CompletableFuture<String>> company = new ArrayList<>();
        CompletableFuture<String> c0 = writer.submit(item("c0"), 10);
        company.add(c0);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !c0.isDone());
        for (int i = 1; i < GroupCommitWriter.LINGER_ENOUGH; i++) {
            company.add(writer.submit(item("c" + i), 10));
        }
        for (CompletableFuture<String> f : company) {
            done(f);
        }
        assertThat(items.batches).hasSize(2);
        assertThat(items.batches.get(0)).containsExactly("first");
        assertThat(items.batches.get(1)).hasSize(GroupCommitWriter.LINGER_ENOUGH).first().isEqualTo("c0");
    }

    @Test
    void aWriteAfterAQuietSpellGoesAtOnce() throws Exception {
        AtomicLong clock = new AtomicLong();
        GroupCommitWriter<Item, String> writer = lingering(LONG_LINGER, clock);
        done(writer.submit(item("a"), 10));
        clock.addAndGet(LONG_LINGER.toNanos());

        assertThat(done(writer.submit(item("b"), 10))).isEqualTo("stored b");
        assertThat(items.batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void closeEndsALinger() throws Exception {
        AtomicLong clock = new AtomicLong();
        GroupCommitWriter<Item, String> writer = lingering(LONG_LINGER, clock);
        done(writer.submit(item("a"), 10));
        CompletableFuture<String> lingering = writer.submit(item("b"), 10);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !lingering.isDone());

        writer.close();
        assertThat(done(lingering)).isEqualTo("stored b");
        assertThat(storedKeys()).containsExactly("a", "b");
    }

    @Test
    void aLingerMustStayBelowTheQueueDelayCap() {
        GroupCommitWriter.Settings settings = new GroupCommitWriter.Settings("w", "item", "db",
                new Limits(10, 1000, Duration.ofSeconds(2)), backlog -> new IllegalStateException(), null,
                System::nanoTime);
        assertThatThrownBy(() -> settings.lingering(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linger");
        assertThatThrownBy(() -> settings.lingering(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(settings.lingering(Duration.ofMillis(2)).linger()).isEqualTo(Duration.ofMillis(2));
    }
}
