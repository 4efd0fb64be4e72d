package dev.herald.server.chat.jdbc;

import dev.herald.server.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
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
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.equals("23505") || state.startsWith("40") || state.equals("55P03")
                        || state.equals("HYT00")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The database cannot be reached or was closed: retrying message by message is pointless, so
     * every sender of a batch fails at once.
     */
    static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
                // H2: database closed / connection broken / file locked by another process.
                int code = sql.getErrorCode();
                if (code == 90098 || code == 90121 || code == 90067 || code == 90020) {
                    return true;
                }
            }
        }
        return false;
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
        if (e == null) {
            return "unknown failure";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
