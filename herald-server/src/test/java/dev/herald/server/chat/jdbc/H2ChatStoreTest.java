package dev.herald.server.chat.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat store contract on an H2 file, as the embedded node runs it. */
class H2ChatStoreTest extends ChatStoreContract {
    private static Path dir;
    private static HikariDataSource pool;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("herald-chat-h2-");
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

    /**
     * H2 gives every foreign key an index of its own (V102 drops the chat ones): the chat tables
     * have only the indexes their queries use, so an insert writes no index twice, and the
     * writer's client id lookup cannot be planned on the conversation_id index (a walk through
     * every message of the conversation, as it was in the curves benchmark once the table had
     * grown; a small table here does not reproduce H2's choice).
     */
    @Test
    void chatTablesHaveOnlyTheirOwnIndexes() throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES"
                     + " WHERE TABLE_NAME LIKE 'CHAT%' AND INDEX_TYPE_NAME <> 'PRIMARY KEY' ORDER BY INDEX_NAME");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
        }
        assertThat(indexes).containsExactly("CHAT_CONVERSATIONS_DIRECT", "CHAT_MEMBERS_USER", "CHAT_MESSAGES_CLIENT",
                "CHAT_MESSAGES_SEQ");
    }
}
