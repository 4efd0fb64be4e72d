package dev.herald.server.store.jdbc;

import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoreContractTest;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store contract on PostgreSQL (one schema for the class), plus several nodes and outages. */
@Tag("postgres")
class PostgresStoreTest extends StoreContractTest {

    static PostgresSupport pg;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void createSchema() {
        pg = PostgresSupport.freshSchema("store");
    }

    @AfterAll
    static void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected Store openStore(Store.CommitListener listener) {
        return JdbcStore.open(pg.storeUrl(), dataDir, listener, registry);
    }

    @Override
    protected void purgeKeysCreatedBefore(Store store, Instant cutoff) {
        ((JdbcStore) store).purgeIdempotencyKeys(cutoff);
    }

    @Test
    void twoStoresOnOneSchemaPublishingConcurrentlyToTheSameStreamsStayGapFree() throws Exception {
        RecordingListener otherListener = new RecordingListener();
        Store other = open(otherListener);
        List<String> streams = List.of(user("1"), user("2"), user("3"), "branch:" + p);
        List<Store> nodes = List.of(store, other);
        List<StoredNotification> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 40; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 25; i++) {
                        // Multi-stream publishes in both orders: row locks must not deadlock.
                        List<String> targets = new ArrayList<>(streams);
                        Collections.shuffle(targets, random);
                        targets = targets.subList(0, 1 + random.nextInt(targets.size()));
                        Store node = nodes.get(random.nextInt(2));
                        acknowledged.addAll(node.publish(new PublishRequest(targets, false, "x", "{}", null, null))
                                .notifications());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        for (String s : streams) {
            long count = acknowledged.stream().filter(n -> n.stream().equals(s)).count();
            assertThat(store.streamState(s)).isEqualTo(new StreamState(count, count, count));
            assertThat(store.readSince(s, 0, 10_000)).extracting(StoredNotification::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
        }
        // Each node's listener sees its own commits in seq order per stream.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> listener.all().size() + otherListener.all().size() >= acknowledged.size());
        for (RecordingListener l : List.of(listener, otherListener)) {
            java.util.Map<String, Long> last = new java.util.HashMap<>();
            for (StoredNotification n : l.all()) {
                assertThat(n.seq()).isGreaterThan(last.getOrDefault(n.stream(), 0L));
                last.put(n.stream(), n.seq());
            }
        }
        assertThat(listener.all().size() + otherListener.all().size()).isEqualTo(acknowledged.size());
    }

    @Test
    void aStreamWaitingForARowLockDoesNotHoldUpAStreamInTheOtherLane() throws Exception {
        assertThat(JdbcStore.POSTGRESQL_LANES).isEqualTo(2);
        String held = user("held");
        String free = user("free");
        for (int i = 0; Math.floorMod(held.hashCode(), 2) == Math.floorMod(free.hashCode(), 2); i++) {
            assertThat(i).as("a stream name in the other lane").isLessThan(100);
            free = user("free" + i);
        }
        PublishRequest toHeld = new PublishRequest(List.of(held), false, "x", "{}", null, null);
        PublishRequest toFree = new PublishRequest(List.of(free), false, "x", "{}", null, null);
        store.publish(toHeld);
        try (Connection c = ((JdbcStore) store).dataSource().getConnection();
             var publisher = Executors.newVirtualThreadPerTaskExecutor()) {
            c.setAutoCommit(false);
            // Another node's transaction holding the stream row, as a slow publish would.
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE streams SET last_seq = last_seq WHERE stream_key = ?")) {
                ps.setString(1, held);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            var waiting = CompletableFuture.supplyAsync(() -> store.publish(toHeld), publisher);
            await().atMost(Duration.ofSeconds(10)).until(() -> lockWaiters(c) > 0);
            assertThat(store.publish(toFree).notifications().get(0).seq()).isEqualTo(1);
            assertThat(waiting).isNotDone();
            c.rollback();
            assertThat(waiting.get(10, TimeUnit.SECONDS).notifications().get(0).seq())
                    .isEqualTo(2);
        }
    }

    /** Sessions waiting for a lock held by the session of {@code c}. */
    private static long lockWaiters(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(PostgresSupport.SESSIONS_BLOCKED_BY_ME);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void concurrentRepeatsOfOneKeyOnTwoNodesStoreOnce() throws Exception {
        Store other = open(n -> { });
        String s = user("a");
        List<Boolean> replayed = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                Store node = t % 2 == 0 ? store : other;
                futures.add(pool.submit(() -> replayed.add(node.publish(keyed(s, p + "twin", "h")).replayed())));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(replayed).hasSize(20).containsOnlyOnce(false);
        assertThat(store.streamState(s)).isEqualTo(new StreamState(1, 1, 1));
    }

    @Test
    void aRequestThatBreaksTheBatchTransactionFailsAloneAndTheOthersCommit() throws Exception {
        String s = user("a");
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 60; t++) {
                // PostgreSQL refuses a NUL character in text: that request aborts its whole batch.
                String json = t == 30 ? "{\"type\":\"x\",\"bad\":\"\u0000\"}" : "{\"type\":\"x\"}";
                futures.add(pool.submit(() -> {
                    try {
                        outcomes.add(store.publish(new PublishRequest(List.of(s), false, "x", json, null, null)));
                    } catch (StoreUnavailableException e) {
                        outcomes.add(e);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(outcomes).filteredOn(o -> o instanceof StoreUnavailableException).hasSize(1);
        assertThat(store.readSince(s, 0, 100)).extracting(StoredNotification::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 59).boxed().toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.all().size() >= 59);
        assertThat(listener.all()).hasSize(59);
    }

    @Test
    void aCurrentSchemaThatDoesNotExistYetIsCreatedAndMigrated() throws Exception {
        String schema = pg.schema() + "_new";
        try {
            try (JdbcStore other = JdbcStore.open("postgresql://127.0.0.1:5432/test?currentSchema=" + schema, dataDir,
                    n -> { }, new SimpleMeterRegistry())) {
                other.publish(to("user:1", "x"));
            }
            try (var c = PostgresSupport.connect(); var ps = c.prepareStatement(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name IN "
                            + "('streams', 'notifications', 'idempotency_keys')")) {
                ps.setString(1, schema);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(3);
                }
            }
            // The tables did not land in this class's schema or in public.
            assertThat(store.streamState("user:1")).isEqualTo(StreamState.EMPTY);
        } finally {
            try (var c = PostgresSupport.connect(); var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void anUnreachablePostgresFailsToOpenWithAMessageNamingIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> JdbcStore.open("postgresql://127.0.0.1:" + closedPort + "/test", dataDir,
                n -> { }, new SimpleMeterRegistry()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL at 127.0.0.1:" + closedPort + "/test: ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void whenTheDatabaseGoesAwayPublishFailsPromptlyAndWorksAgainWhenItReturns() throws Exception {
        try (TcpProxy proxy = new TcpProxy(PostgresSupport.PORT)) {
            String url = "postgresql://postgres@127.0.0.1:" + proxy.port() + "/test?currentSchema=" + pg.schema();
            Store viaProxy = JdbcStore.open(url, dataDir, listener, registry);
            opened.add(viaProxy);
            String s = user("outage");
            viaProxy.publish(to(s, "x"));

            proxy.cut();
            long start = System.nanoTime();
            assertThatThrownBy(() -> viaProxy.publish(to(s, "x")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("PostgreSQL at 127.0.0.1:" + proxy.port() + "/test");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(JdbcStore.PUBLISH_WAIT);
            assertThat(viaProxy.isReachable()).isFalse();
            assertThatThrownBy(() -> viaProxy.streamState(s)).isInstanceOf(StoreUnavailableException.class);

            proxy.restore();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(StoreUnavailableException.class)
                    .until(() -> viaProxy.publish(to(s, "x")).notifications().getFirst().seq() >= 2);
            assertThat(viaProxy.isReachable()).isTrue();
            // Nothing acknowledged went missing and no seq was skipped.
            long last = viaProxy.streamState(s).lastSeq();
            assertThat(viaProxy.readSince(s, 0, 100)).extracting(StoredNotification::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
        }
    }

    @Test
    void chatMessageIdsKeepPostgresqlsDefaultCacheSoIdsFromDifferentConnectionsDoNotInterleave() throws Exception {
        try (JdbcStore store = JdbcStore.open(pg.storeUrl(), dataDir, n -> { }, registry);
             java.sql.Connection c = store.dataSource().getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT s.cache_size FROM pg_sequences s"
                     + " WHERE s.schemaname = current_schema() AND s.sequencename = pg_get_serial_sequence("
                     + "'chat_messages', 'id')::regclass::text")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }
}
