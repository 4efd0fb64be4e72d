package dev.herald.server.chat.jdbc;

import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.jdbc.SqlFailures;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Transactions on a pool with the failure handling chat and presence share: a lost race (unique
 * key, deadlock, serialization) is retried a few times, everything else becomes a
 * {@link StoreUnavailableException} with context. Stateless apart from the pool.
 */
final class Sql {
    private static final int ATTEMPTS = 3;

    /** A unit of work in one transaction. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource pool;

    Sql(DataSource pool) {
        this.pool = pool;
    }

    <T> T tx(String what, Work<T> work) {
        SQLException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (Connection c = pool.getConnection()) {
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
            } catch (SQLException e) {
                last = e;
                if (!isRace(e)) {
                    break;
                }
            }
        }
        throw new StoreUnavailableException("cannot " + what + ": " + describe(last), last);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    static boolean isRace(Throwable e) {
        return SqlFailures.isRace(e);
    }

    /**
     * The database cannot be reached or was closed: retrying message by message is pointless, so
     * every sender of a batch fails at once.
     */
    static boolean isConnectionFailure(Throwable e) {
        return SqlFailures.isConnectionFailure(e);
    }

    static OffsetDateTime ts(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC);
    }

    static Instant instant(java.sql.ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The first line of the failure's message, for logs and errors. */
    static String describe(Throwable e) {
        return SqlFailures.describe(e);
    }
}
