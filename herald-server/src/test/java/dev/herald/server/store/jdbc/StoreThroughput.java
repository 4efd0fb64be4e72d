package dev.herald.server.store.jdbc;

import dev.herald.server.store.PublishRequest;
import dev.herald.server.testing.PostgresSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures publish throughput (not a test: no timed assertion). 200 virtual threads each publish
 * 100 notifications; "per-thread streams" sends each thread's publishes to its own user stream,
 * "new streams" sends every publish to a stream that did not exist yet. A warm-up round runs first.
 *
 * <p>Run: {@code java -cp <test classpath> dev.herald.server.store.jdbc.StoreThroughput [h2|postgres]}
 */
public final class StoreThroughput {

    private static final int THREADS = 200;
    private static final int EACH = 100;

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "h2";
        Path dir = Files.createTempDirectory("herald-throughput");
        PostgresSupport pg = which.equals("postgres") ? PostgresSupport.freshSchema("throughput") : null;
        AtomicLong committed = new AtomicLong();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String url = pg == null ? System.getProperty("herald.h2Url") : pg.storeUrl() + System.getProperty("herald.extraParams", "");
        try (JdbcStore store = JdbcStore.open(url, dir,
                batch -> committed.addAndGet(batch.size()), registry)) {
            round(store, registry, "warm-up", false);
            round(store, registry, "per-thread streams", false);
            round(store, registry, "new streams", true);
            round(store, registry, "per-thread streams", false);
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
        System.out.printf("%s: listener saw %d notifications%n", which, committed.get());
    }

    private static void round(JdbcStore store, SimpleMeterRegistry registry, String name, boolean newStreams)
            throws Exception {
        var batches = registry.get("herald.store.latency").tag("op", "batch").timer();
        long batchesBefore = batches.count();
        double batchSecondsBefore = batches.totalTime(java.util.concurrent.TimeUnit.SECONDS);
        String run = Long.toHexString(System.nanoTime());
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < EACH; i++) {
                        String stream = "user:" + run + "-" + thread + (newStreams ? "-" + i : "");
                        store.publish(new PublishRequest(List.of(stream), false, "bench",
                                "{\"type\":\"bench\",\"message\":\"hello from the throughput run\"}", null, null));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long batchCount = batches.count() - batchesBefore;
        double batchSeconds = batches.totalTime(java.util.concurrent.TimeUnit.SECONDS) - batchSecondsBefore;
        System.out.printf("%-20s %6d publishes in %.2f s = %,.0f/s (%d batches, mean %.1f publishes, %.1f ms each)%n",
                name, THREADS * EACH, seconds, THREADS * EACH / seconds, batchCount,
                (double) THREADS * EACH / batchCount, batchSeconds * 1000 / batchCount);
    }
}
