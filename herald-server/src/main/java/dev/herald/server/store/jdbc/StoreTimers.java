package dev.herald.server.store.jdbc;

import dev.herald.server.store.StoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Runs one store operation on a pooled connection, timed as {@code herald.store.latency{op=...}}
 * (Prometheus: {@code herald_store_latency_seconds}), turning SQL failures into
 * {@link StoreUnavailableException}s that name the database. Thread-safe.
 */
final class StoreTimers {

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    StoreTimers(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer get(String op) {
        return timers.computeIfAbsent(op, o -> Timer.builder("herald.store.latency")
                .description("time of one store operation; op=batch is one group-commit transaction")
                .tag("op", o)
                .publishPercentiles(0.5, 0.99)
                .register(registry));
    }

    <T> T call(String op, StoreUrl url, Transactions.Work<T> work, DataSource pool) {
        Timer.Sample sample = Timer.start();
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreUnavailableException(op + " failed on " + url.description() + ": "
                    + SqlFailures.describe(e), e);
        } finally {
            sample.stop(get(op));
        }
    }

    <T> T inTransaction(String op, StoreUrl url, Transactions.Work<T> work, DataSource pool) {
        return call(op, url, c -> Transactions.run(c, work), pool);
    }
}
