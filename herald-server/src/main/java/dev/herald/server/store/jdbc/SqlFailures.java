package dev.herald.server.store.jdbc;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/**
 * Sorts SQL failures into "the database is gone" and "this transaction lost a race", for every
 * JDBC writer of the node (notifications and chat). Stateless.
 */
public final class SqlFailures {

    private SqlFailures() {
    }

    /**
     * The database cannot be reached or was closed: retrying request by request is pointless, so
     * every caller of the batch fails at once.
     */
    public static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03"))) {
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

    /**
     * A concurrent transaction got there first (unique key, deadlock, serialization, lock timeout):
     * running the same request again sees the winner's commit and succeeds or replays.
     */
    public static boolean isRace(Throwable e) {
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
     * A unique index refused a row (SQLState 23505 on both databases), looked for in the causes
     * and, for a batch, in the failures it chained.
     */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            SQLException sql = t instanceof SQLException s ? s : null;
            for (int chained = 0; sql != null && chained < 64; chained++, sql = sql.getNextException()) {
                if ("23505".equals(sql.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first line of the failure's message, for logs and errors. */
    public static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }
}
