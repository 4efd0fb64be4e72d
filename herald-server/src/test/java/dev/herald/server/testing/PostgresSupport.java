package dev.herald.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh PostgreSQL schema in database {@code test} at 127.0.0.1:5432 (user postgres, trust auth)
 * for one test class, dropped by {@link #close()}.
 *
 * <p>When PostgreSQL is unreachable the calling test is skipped with a JUnit assumption, unless the
 * environment variable {@code HERALD_REQUIRE_SERVICES=1} is set (CI), in which case it fails.
 * Tag such tests {@code @Tag("postgres")}.
 *
 * <pre>{@code
 * static PostgresSupport pg;
 * @BeforeAll static void database() { pg = PostgresSupport.freshSchema("cluster"); }
 * @AfterAll static void dropDatabase() { pg.close(); }
 * ... JdbcStore.open(pg.storeUrl(), dir, listener, registry) ...
 * }</pre>
 */
public final class PostgresSupport implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    public static final String DATABASE = "test";
    public static final String USER = "postgres";
    /** Counts the sessions waiting for a lock that the session running it holds. */
    public static final String SESSIONS_BLOCKED_BY_ME =
            "SELECT COUNT(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))";

    private final String schema;

    private PostgresSupport(String schema) {
        this.schema = schema;
    }

    /** Creates schema {@code <prefix>_<random>} or skips (fails in CI) when PostgreSQL is down. */
    public static PostgresSupport freshSchema(String prefix) {
        String schema = (prefix.replaceAll("[^A-Za-z0-9]", "_") + "_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL)).toLowerCase(Locale.ROOT);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + HOST + ":" + PORT + "/" + DATABASE + " ("
                    + e.getMessage() + ")";
            if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
                Assertions.fail(why + " and HERALD_REQUIRE_SERVICES=1", e);
            }
            Assumptions.abort(why + "; skipping PostgreSQL tests (set HERALD_REQUIRE_SERVICES=1 to fail instead)");
        }
        return new PostgresSupport(schema);
    }

    /** A JDBC connection to database {@code test} (default schema public), for assertions. */
    public static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE, p);
    }

    public String schema() {
        return schema;
    }

    /** A Herald store URL for this schema. */
    public String storeUrl() {
        return "postgresql://" + USER + "@" + HOST + ":" + PORT + "/" + DATABASE + "?currentSchema=" + schema;
    }

    /** Drops the schema and everything in it. */
    @Override
    public void close() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
