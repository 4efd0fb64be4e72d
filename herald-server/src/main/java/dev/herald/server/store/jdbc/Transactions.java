package dev.herald.server.store.jdbc;

import dev.herald.server.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Short transactions on the caller's thread, for every JDBC store of the node (the group-commit
 * writes go through {@link GroupCommitWriter}): commit on success, roll back on any failure,
 * autocommit restored either way, and a transaction that lost a race to a concurrent one (unique
 * key, deadlock, serialization) run again a few times. Stateless.
 */
public final class Transactions {
    /** Runs of a transaction that keeps losing races before it fails. */
    static final int ATTEMPTS = 3;

    /** Work in one transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in a transaction on a connection of {@code pool}, again while it loses
     * races.
     *
     * @param what what the work does, for the error ("create a conversation")
     * @throws StoreUnavailableException on any SQL failure, after the retries
     */
    public static <T> T run(DataSource pool, String what, Work<T> work) {
        SQLException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (Connection c = pool.getConnection()) {
                return run(c, work);
            } catch (SQLException e) {
                last = e;
                if (!SqlFailures.isRace(e)) {
                    break;
                }
            }
        }
        throw new StoreUnavailableException("cannot " + what + ": " + SqlFailures.describe(last), last);
    }

    /** Runs {@code work} in one transaction on {@code c}, once; failures are the caller's. */
    public static <T> T run(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Rolls back, ignoring a failure: the connection is then broken, and the pool discards it. */
    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
