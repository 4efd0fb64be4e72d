package dev.herald.server.chat.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.store.jdbc.JdbcStore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real databases for chat tests, migrated as the node migrates ({@link JdbcStore#migrations}):
 * an H2 file in a temp dir, or a schema of its own on the PostgreSQL at 127.0.0.1:5432 (db
 * {@code test}), dropped by {@link Pg#close()}.
 */
public final class ChatDatabases {
    public static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private ChatDatabases() {
    }

    public static HikariDataSource h2(Path dir) {
        return h2(dir, "");
    }

    /** @param options appended to the URL, e.g. {@code ";WRITE_DELAY=0"} as the node opens its file */
    public static HikariDataSource h2(Path dir, String options) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl("jdbc:h2:file:" + dir.resolve("chat").toAbsolutePath() + options);
        c.setUsername("sa");
        c.setPassword("");
        c.setMaximumPoolSize(8);
        HikariDataSource pool = new HikariDataSource(c);
        JdbcStore.migrations(pool, true).load().migrate();
        return pool;
    }

    /** A migrated PostgreSQL schema; the pool and the schema go away on close. */
    public record Pg(HikariDataSource pool, String schema) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
            try (Connection c = DriverManager.getConnection(PG_URL, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (Exception e) {
                throw new IllegalStateException("cannot drop schema " + schema, e);
            }
        }
    }

    /**
     * A fresh schema on the local PostgreSQL. Skips the test (assumption) when PostgreSQL is not
     * reachable, unless {@code HERALD_REQUIRE_SERVICES=1}, when it fails instead.
     */
    public static Pg postgres(String owner, long seed) {
        boolean required = "1".equals(System.getenv("HERALD_REQUIRE_SERVICES"));
        try (Connection c = DriverManager.getConnection(PG_URL + "?connectTimeout=2", "postgres", "")) {
            c.isValid(2);
        } catch (Exception e) {
            if (required) {
                throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is required (HERALD_REQUIRE_SERVICES=1): " + e, e);
            }
            assumeTrue(false, "PostgreSQL at 127.0.0.1:5432 not reachable; skipping: " + e.getMessage());
        }
        String schema = ("chat_" + owner + "_" + Long.toHexString(new Random(seed ^ System.nanoTime()).nextLong() & 0xffffffffL))
                .toLowerCase(Locale.ROOT);
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(PG_URL + "?currentSchema=" + schema);
        c.setUsername("postgres");
        c.setPassword("");
        c.setMaximumPoolSize(8);
        HikariDataSource pool = new HikariDataSource(c);
        JdbcStore.migrations(pool, false).schemas(schema).defaultSchema(schema).createSchemas(true).load().migrate();
        return new Pg(pool, schema);
    }

    /**
     * The database a measuring main (not a test) runs on: {@code "postgres"}, a fresh schema of
     * the local PostgreSQL, or else an H2 file in a temp dir opened as the node opens it (every
     * commit written before it returns; {@code -Dherald.h2Options} overrides the options).
     * Closing drops the schema or closes the pool and deletes the dir.
     */
    public record Measured(HikariDataSource pool, Pg pg, Path dir) implements AutoCloseable {
        public static Measured open(String which, String owner) throws java.io.IOException {
            Path dir = java.nio.file.Files.createTempDirectory("herald-" + owner);
            if (which.equals("postgres")) {
                Pg pg = postgres(owner, System.nanoTime());
                return new Measured(pg.pool(), pg, dir);
            }
            return new Measured(h2(dir, System.getProperty("herald.h2Options", ";WRITE_DELAY=0")), null, dir);
        }

        /** One direct conversation per pair of users {@code u0, u1}, {@code u2, u3}, ...: their ids. */
        public static long[] directConversations(JdbcChatStore store, int users) {
            long[] conversations = new long[users / 2];
            for (int p = 0; p < conversations.length; p++) {
                conversations[p] = store.create(dev.herald.server.chat.ConversationKind.DIRECT, null, "u" + 2 * p,
                        List.of("u" + 2 * p, "u" + (2 * p + 1))).conversation().id();
            }
            return conversations;
        }

        @Override
        public void close() {
            if (pg != null) {
                pg.close();
            } else {
                pool.close();
            }
            dev.herald.server.testing.TempDirs.delete(dir);
        }
    }
}
