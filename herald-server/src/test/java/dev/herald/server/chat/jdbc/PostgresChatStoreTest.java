package dev.herald.server.chat.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import javax.sql.DataSource;

/** The chat store contract on PostgreSQL, in a schema of its own that is dropped afterwards. */
@Tag("postgres")
class PostgresChatStoreTest extends ChatStoreContract {
    private static ChatDatabases.Pg pg;

    @BeforeAll
    static void open() {
        pg = ChatDatabases.postgres("contract", 42);
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
}
