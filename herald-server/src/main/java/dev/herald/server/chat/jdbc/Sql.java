package dev.herald.server.chat.jdbc;

import dev.herald.server.store.StoreUnavailableException;

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

    /** Thrown by work to roll back and answer a value without committing. */
    static final class Rollback extends RuntimeException {
        final transient Object value;

        Rollback(Object value) {
            super(null, null, false, false);
            this.value = value;
        }
    }

    private final DataSource pool;

    Sql(DataSource pool) {
        this.pool = pool;
    }

    @SuppressWarnings("unchecked")
    <T> T tx(String what, Work<T> work) {
        SQLException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (Rollback r) {
                    c.rollback();
                    return (T) r.value;
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
        throw new StoreUnavailableException("cannot " + what + ": " + firstLine(last), last);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    static boolean isRace(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.equals("23505") || state.startsWith("40") || state.equals("HYT00")) {
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

    private static String firstLine(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
