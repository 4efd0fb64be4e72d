package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.presence.PresenceStore;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.jdbc.GroupCommitWriter;
import dev.herald.server.store.jdbc.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@link PresenceStore} on the chat schema's {@code presence} table (H2 or PostgreSQL). It lives
 * beside {@link JdbcChatStore} because both own migration V100. An upsert is an UPDATE and,
 * when no row was there, an INSERT; two first writes racing on the primary key are retried by
 * {@link Transactions} (a status) or by the writer (last seen).
 *
 * <p>Last-seen times go through a {@link GroupCommitWriter} of their own: when a node's users
 * go offline together (after a restart or a network cut, once their grace period ends), one
 * transaction per user had kept the database busy for seconds (19,500 users: 55% of the node's
 * CPU during the benchmark's fanout, which followed its idle scenario); batched, they are a few
 * transactions. Its queue holds {@link #LAST_SEEN_LIMITS}; beyond that a last-seen time is
 * dropped (logged by the writer), the user being offline all the same.
 *
 * <p>Thread-safe; {@link #saveStatus} and {@link #read} block.
 */
public final class JdbcPresenceStore implements PresenceStore, AutoCloseable {
    private static final int MAX_READ = 1000;
    /** Enough for every connection of a node going offline at once; a minute of backlog at most. */
    static final GroupCommitWriter.Limits LAST_SEEN_LIMITS =
            new GroupCommitWriter.Limits(100_000, 32L << 20, Duration.ofMinutes(1));

    private final DataSource pool;
    private final GroupCommitWriter<LastSeen, Boolean> lastSeen;

    /** One queued last-seen time. */
    private record LastSeen(String userId, Instant at) {
        long bytes() {
            return 96 + 2L * userId.length();
        }
    }

    public JdbcPresenceStore(DataSource pool) {
        this.pool = pool;
        this.lastSeen = new GroupCommitWriter<>(pool, new LastSeenTransaction(), new GroupCommitWriter.Settings(
                "presence writer", "last seen time", "the database", LAST_SEEN_LIMITS,
                backlog -> new StoreUnavailableException("too many last-seen times are waiting for the database ("
                        + backlog.waiting() + ", the oldest for " + backlog.oldestWaitedMs() + " ms)", null),
                null, System::nanoTime));
    }

    @Override
    public CompletableFuture<Void> saveLastSeen(String userId, Instant at) {
        LastSeen write = new LastSeen(userId, at);
        try {
            return lastSeen.submit(write, write.bytes()).thenApply(stored -> null);
        } catch (RuntimeException refused) {
            return CompletableFuture.failedFuture(refused);
        }
    }

    /** Transactions of last-seen times committed since construction. */
    long lastSeenCommits() {
        return lastSeen.commits();
    }

    /** Stores the queued last-seen times, waiting (bounded) for them. Reads and statuses keep working. */
    @Override
    public void close() {
        lastSeen.close();
    }

    /**
     * A batch of last-seen times in one transaction: the latest per user, in user order (so two
     * nodes' batches lock rows in the same order), one batched UPDATE, one batched INSERT for the
     * users without a row. A first write racing another node's on the primary key fails the
     * batch, which the writer then runs again group by group.
     */
    private static final class LastSeenTransaction implements GroupCommitWriter.Transaction<LastSeen, Boolean> {
        @Override
        public List<GroupCommitWriter.Outcome<Boolean>> run(Connection c, List<LastSeen> writes) throws SQLException {
            TreeMap<String, Instant> latest = new TreeMap<>();
            for (LastSeen w : writes) {
                latest.merge(w.userId(), w.at(), (a, b) -> a.isAfter(b) ? a : b);
            }
            List<String> users = new ArrayList<>(latest.keySet());
            int[] updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE presence SET last_seen_at = ? WHERE user_id = ?")) {
                for (String user : users) {
                    ps.setObject(1, Sql.ts(latest.get(user)));
                    ps.setString(2, user);
                    ps.addBatch();
                }
                updated = ps.executeBatch();
            }
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                if (updated[i] == 0) {
                    missing.add(users.get(i));
                }
            }
            if (!missing.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, last_seen_at) VALUES (?, ?)")) {
                    for (String user : missing) {
                        ps.setString(1, user);
                        ps.setObject(2, Sql.ts(latest.get(user)));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            List<GroupCommitWriter.Outcome<Boolean>> outcomes = new ArrayList<>(writes.size());
            for (int i = 0; i < writes.size(); i++) {
                outcomes.add(GroupCommitWriter.Outcome.of(Boolean.TRUE));
            }
            return outcomes;
        }

        @Override
        public void committed(List<LastSeen> writes, List<GroupCommitWriter.Outcome<Boolean>> outcomes) {
            // Nothing to hand on: the offline announcement does not wait for the write.
        }
    }

    @Override
    public void saveStatus(String userId, String status) {
        upsert(userId, "status", status, "store a status");
    }

    private void upsert(String userId, String column, Object value, String what) {
        Object bound = value instanceof Instant i ? Sql.ts(i) : value;
        Transactions.run(pool, what, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE presence SET " + column + " = ? WHERE user_id = ?")) {
                ps.setObject(1, bound);
                ps.setString(2, userId);
                if (ps.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, " + column + ") VALUES (?, ?)")) {
                ps.setString(1, userId);
                ps.setObject(2, bound);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<String, Stored> read(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        if (userIds.size() > MAX_READ) {
            throw new IllegalArgumentException("userIds: at most " + MAX_READ + " at once");
        }
        List<String> ids = new ArrayList<>(userIds);
        return Transactions.run(pool, "read presence", c -> read(c, ids));
    }

    private static Map<String, Stored> read(Connection c, List<String> ids) throws SQLException {
        Map<String, Stored> out = new HashMap<>();
        String in = "?" + ",?".repeat(ids.size() - 1);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, status, last_seen_at FROM presence WHERE user_id IN (" + in + ")")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Stored(rs.getString(2), Sql.instant(rs, "last_seen_at")));
                }
            }
        }
        return out;
    }
}
