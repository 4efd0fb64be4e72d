package dev.herald.server.chat.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.chat.ConversationKind;
import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat writer's memory of conversation members, on a real H2 file. Whether a list came from
 * memory or from the database shows by deleting the member rows behind its back: only a fresh
 * read sees them gone.
 */
class KnownMembersTest {
    private Path dir;
    private HikariDataSource pool;
    private JdbcChatStore store;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("herald-known-members-");
        pool = ChatDatabases.h2(dir);
        store = new JdbcChatStore(pool);
    }

    @AfterEach
    void close() {
        store.close();
        pool.close();
        TempDirs.delete(dir);
    }

    private long conversation(String... members) {
        return store.create(ConversationKind.GROUP, "t", members[0], List.of(members)).conversation().id();
    }

    private void deleteMemberRows(long conversationId) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM chat_members WHERE conversation_id = ?")) {
            ps.setLong(1, conversationId);
            ps.executeUpdate();
        }
    }

    private Map<Long, KnownMembers.Members> read(KnownMembers known, long... ids) throws SQLException {
        TreeSet<Long> set = new TreeSet<>();
        for (long id : ids) {
            set.add(id);
        }
        try (Connection c = pool.getConnection()) {
            return known.members(c, set);
        }
    }

    @Test
    void aConversationsMembersAreReadOnceSortedAndThenKept() throws Exception {
        long conv = conversation("carol", "alice", "bob");
        KnownMembers known = new KnownMembers(100);

        assertThat(read(known, conv).get(conv).sorted()).containsExactly("alice", "bob", "carol");
        deleteMemberRows(conv);

        KnownMembers.Members kept = read(known, conv).get(conv);
        assertThat(kept.sorted()).containsExactly("alice", "bob", "carol");
        assertThat(kept.set()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(read(new KnownMembers(100), conv)).as("a fresh cache reads the database").isEmpty();
    }

    @Test
    void aConversationThatDoesNotExistIsNotRemembered() throws Exception {
        KnownMembers known = new KnownMembers(100);
        long missing = 424242;
        assertThat(read(known, missing)).isEmpty();
        assertThat(known.size()).isZero();

        long conv = conversation("alice", "bob");
        assertThat(read(known, missing, conv)).containsOnlyKeys(conv);
    }

    @Test
    void theLeastRecentlyUsedConversationsGoFirstWhenTheEntriesExceedTheCapacity() throws Exception {
        long first = conversation("a1", "a2");
        long second = conversation("b1", "b2");
        long third = conversation("c1", "c2");
        KnownMembers known = new KnownMembers(4);

        read(known, first);
        read(known, second);
        read(known, first);             // first is now the more recently used
        read(known, third);             // 6 entries > 4: second goes
        assertThat(known.size()).isEqualTo(4);

        deleteMemberRows(first);
        deleteMemberRows(second);
        deleteMemberRows(third);
        assertThat(read(known, first, second, third)).as("second was evicted, so read again: gone")
                .containsOnlyKeys(first, third);
    }

    @Test
    void aConversationLargerThanTheCapacityIsKeptAloneUntilTheNext() throws Exception {
        long big = conversation("m1", "m2", "m3", "m4", "m5");
        long small = conversation("s1", "s2");
        KnownMembers known = new KnownMembers(3);

        assertThat(read(known, big).get(big).sorted()).hasSize(5);
        assertThat(known.size()).isEqualTo(5);
        read(known, small);
        assertThat(known.size()).isEqualTo(2);
    }
}
