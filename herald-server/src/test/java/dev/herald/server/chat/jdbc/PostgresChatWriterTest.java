package dev.herald.server.chat.jdbc;

import dev.herald.server.testing.PostgresSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import javax.sql.DataSource;

/** The chat writer on PostgreSQL, in a schema of its own that is dropped afterwards. */
@Tag("postgres")
class PostgresChatWriterTest extends ChatWriterContract {
    private static ChatDatabases.Pg pg;

    @BeforeAll
    static void open() {
        pg = ChatDatabases.postgres("writer", 43);
    }

    @AfterAll
    static void close() {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected DataSource dataSource() {
        return pg.pool();
    }

    @Override
    protected String sessionsBlockedByMe() {
        return PostgresSupport.SESSIONS_BLOCKED_BY_ME;
    }
}
