package dev.herald.server.chat.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;

/** The chat writer on an H2 file, as the embedded node runs it. */
class H2ChatWriterTest extends ChatWriterContract {
    private static Path dir;
    private static HikariDataSource pool;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("herald-chat-writer-h2-");
        pool = ChatDatabases.h2(dir);
    }

    @AfterAll
    static void close() {
        pool.close();
        TempDirs.delete(dir);
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }

    @Override
    protected String sessionsBlockedByMe() {
        return "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = SESSION_ID()";
    }
}
