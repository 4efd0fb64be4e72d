package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.ChatStore;
import dev.herald.server.chat.Conversation;
import dev.herald.server.chat.ConversationKind;
import dev.herald.server.chat.ConversationSummary;
import dev.herald.server.chat.Membership;
import dev.herald.server.chat.MessageRef;
import dev.herald.server.chat.NewMessage;
import dev.herald.server.chat.Reaction;
import dev.herald.server.chat.ReadResult;
import dev.herald.server.chat.SendResult;

import dev.herald.server.chat.ChatStoreBusyException;
import dev.herald.server.store.jdbc.GroupCommitWriter;
import dev.herald.server.store.jdbc.Transactions;
import dev.herald.server.store.jdbc.WriterLanes;
import dev.herald.server.store.jdbc.WriterWait;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * {@link ChatStore} on H2 or PostgreSQL (schema {@code db/migration/V100__chat.sql}), sharing
 * the node's connection pool.
 *
 * <p>Sends go through the node's group commit ({@link GroupCommitWriter}, with its ordering and
 * refusal guarantees): a writer thread commits every waiting send in one transaction
 * ({@link AppendTransaction}); per batch it locks each touched conversation row once with
 * {@code UPDATE ... SET last_seq = last_seq + n}, inserts the messages with those seqs and moves
 * the senders' read markers. Sends beyond the {@link #WRITE_LIMITS} are refused at once with
 * {@link ChatStoreBusyException}.
 *
 * <p>Lanes: there may be several writers, each with its own queue, thread and connection; a
 * conversation always goes to the same one ({@link WriterLanes}). Everything a send writes (the
 * conversation row, its messages, its members' read markers) is keyed by its conversation, so two
 * lanes never wait for each other's locks, and the writer's per-queue guarantees become
 * per-conversation ones: a conversation's sends commit in queue order, at most one of its batches
 * is in flight, and a batch rolled back and rerun cannot fall behind a later one of the same
 * conversation. Order across conversations was never promised. Why two ({@link #LANES}): with
 * one, chat at 12,500 messages/s offered left half of PostgreSQL's 2 cores idle, the writer
 * waiting on the round trip and the WAL flush (11,469/s delivered, p99 2.3 s; two lanes: all
 * 12,477/s, p99 0.9 s); on H2 the one writer thread was the bound, a core busy, half of it
 * serializing the commit's pages (8,500/s; two lanes: 9,600/s, one's statements running while
 * the other commits).
 *
 * <p>Each writer holds one pool connection while it has work; every other method runs its own
 * short transaction on the caller's thread.
 *
 * <p>Thread-safe; every method blocks. {@link #close} before closing the pool lets queued sends
 * commit.
 */
public final class JdbcChatStore implements ChatStore, AutoCloseable {
    /** How long a sender waits for its commit before it is told the store is unavailable. */
    public static final Duration APPEND_WAIT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(JdbcChatStore.class);
    /**
     * The partners of several users, at most {@code ?} each (the first by id): the array joined as
     * a table, one fixed statement text whatever the number of users, as the chat writer's.
     */
    private static final String PARTNERS = "SELECT u, p FROM (SELECT u, p, ROW_NUMBER() OVER (PARTITION BY u ORDER BY p) AS n"
            + " FROM (SELECT DISTINCT mine.user_id AS u, other.user_id AS p FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS k(id)"
            + " JOIN chat_members mine ON mine.user_id = k.id"
            + " JOIN chat_members other ON other.conversation_id = mine.conversation_id AND other.user_id <> mine.user_id)"
            + " pairs) ranked WHERE n <= ? ORDER BY u, p";

    private static final String MESSAGE_COLUMNS =
            "m.id, m.conversation_id, m.seq, m.sender_id, m.sender_name, m.client_id, m.message_type, m.content, m.created_at";

    /**
     * Sends waiting for the database at most: 4,096 (each a parked virtual thread), 32 MiB, or 2 s
     * for the oldest, so an accepted send is committed in about 2 s whatever the database's speed.
     */
    public static final GroupCommitWriter.Limits WRITE_LIMITS =
            new GroupCommitWriter.Limits(4096, 32L << 20, Duration.ofSeconds(2));

    /**
     * How long a send may wait for company while its writer is busy
     * ({@link GroupCommitWriter.Settings#linger}): a PostgreSQL commit costs its backend ~150 us
     * of CPU (the log flush, mostly in the kernel); at 2,500 messages/s offered, batches of one
     * or two paid that per message, and lingering 2 ms took the backends from 0.8 to 0.6 core.
     */
    public static final Duration LINGER = Duration.ofMillis(2);

    /** The node's writer lanes; see the class comment. */
    public static final int LANES = 2;

    private final DataSource pool;
    private final GroupCommitWriter.Limits limits;
    /** Callers holding a refused send, woken as commits make room ({@link #whenRoom}). */
    private final ConcurrentLinkedQueue<Runnable> roomWaiters = new ConcurrentLinkedQueue<>();
    /** Each lane's transaction state (its writer thread's), for the counters. */
    private final List<AppendTransaction> appends;
    private final WriterLanes<AppendTransaction.Send, Optional<SendResult>> writers;

    /** One lane, with {@link #WRITE_LIMITS}. */
    public JdbcChatStore(DataSource pool) {
        this(pool, 1);
    }

    /** With {@link #WRITE_LIMITS} per lane. */
    public JdbcChatStore(DataSource pool, int lanes) {
        this(pool, lanes, WRITE_LIMITS);
    }

    /**
     * @param lanes  writers, each with a queue, a thread and (while it has work) a pool connection
     * @param limits how many sends may wait for the database in each lane; beyond, they are
     *               refused at once
     */
    JdbcChatStore(DataSource pool, int lanes, GroupCommitWriter.Limits limits) {
        this(pool, lanes, limits, null);
    }

    /**
     * A node's chat store, {@link #WRITE_LIMITS} per lane, its meters in {@code registry}: sends
     * waiting ({@code herald.chat.queued}), transactions and messages committed
     * ({@code herald.chat.commits}, {@code herald.chat.messages.stored}), and the time of each
     * writer batch: its transaction, the commit and handing the messages on
     * ({@code herald.chat.batch.latency}).
     */
    public JdbcChatStore(DataSource pool, int lanes, MeterRegistry registry) {
        this(pool, lanes, WRITE_LIMITS, Objects.requireNonNull(registry, "registry"));
    }

    private JdbcChatStore(DataSource pool, int lanes, GroupCommitWriter.Limits limits, MeterRegistry registry) {
        this.pool = pool;
        this.limits = limits;
        // A histogram, as the delivery latency's: quantiles over any interval, and across nodes.
        Timer batchTimer = registry == null ? null : Timer.builder("herald.chat.batch.latency")
                .description("time of one chat writer batch: its transaction, the commit, and handing the messages to delivery")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        List<AppendTransaction> all = new ArrayList<>();
        this.writers = new WriterLanes<>(lanes, i -> {
            AppendTransaction lane = new AppendTransaction();
            all.add(lane);
            return writer(WriterLanes.name("chat writer", lanes, i), lane, batchTimer);
        });
        this.appends = List.copyOf(all);
        if (registry != null) {
            Gauge.builder("herald.chat.queued", this, JdbcChatStore::queued)
                    .description("chat sends waiting for the chat writers").register(registry);
            FunctionCounter.builder("herald.chat.commits", this, store -> store.committed()[0])
                    .description("transactions the chat writers committed").register(registry);
            FunctionCounter.builder("herald.chat.messages.stored", this, store -> store.committed()[1])
                    .description("chat messages the chat writers stored").register(registry);
        }
    }

    /** One lane, with these limits. */
    JdbcChatStore(DataSource pool, GroupCommitWriter.Limits limits) {
        this(pool, 1, limits);
    }

    /** A lane's writer, running {@code appends} and waking senders held for room after each commit. */
    private GroupCommitWriter<AppendTransaction.Send, Optional<SendResult>> writer(String name,
                                                                                 AppendTransaction appends,
                                                                                 Timer batchTimer) {
        GroupCommitWriter.Transaction<AppendTransaction.Send, Optional<SendResult>> thenWake = new GroupCommitWriter.Transaction<>() {
            @Override
            public List<GroupCommitWriter.Outcome<Optional<SendResult>>> run(Connection c, List<AppendTransaction.Send> sends)
                    throws SQLException {
                return appends.run(c, sends);
            }

            @Override
            public void committed(List<AppendTransaction.Send> sends,
                                  List<GroupCommitWriter.Outcome<Optional<SendResult>>> outcomes) {
                appends.committed(sends, outcomes);
                wakeWaiters();
            }
        };
        return new GroupCommitWriter<>(pool, thenWake, new GroupCommitWriter.Settings(name, "message",
                "the database", limits, JdbcChatStore::busy, batchTimer, System::nanoTime).lingering(LINGER));
    }

    private static ChatStoreBusyException busy(GroupCommitWriter.Backlog backlog) {
        return new ChatStoreBusyException("the server is storing messages as fast as it can and " + backlog.waiting()
                + " are waiting (the oldest for " + backlog.oldestWaitedMs() + " ms); nothing was stored, retry later"
                + " (with the same client_id)");
    }

    @Override
    public Created create(ConversationKind kind, String title, String createdBy, List<String> members) {
        TreeSet<String> sorted = new TreeSet<>(members);
        if (sorted.size() != members.size() || sorted.isEmpty()) {
            throw new IllegalArgumentException("members: must be distinct and non-empty");
        }
        if (kind == ConversationKind.DIRECT && sorted.size() != 2) {
            throw new IllegalArgumentException("members: a direct conversation has exactly two");
        }
        String directKey = kind == ConversationKind.DIRECT ? sorted.first() + "|" + sorted.last() : null;
        return Transactions.run(pool, "create a conversation", c -> {
            if (directKey != null) {
                Long existing = directConversation(c, directKey);
                if (existing != null) {
                    return new Created(load(c, existing), false);
                }
            }
            Instant now = Sql.now();
            long id;
            // A concurrent create of the same pair fails the unique index here; Sql retries
            // the transaction, which then finds the winner's row above.
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO chat_conversations (kind, title, direct_key, created_by, created_at, last_seq, last_activity_at)"
                            + " VALUES (?, ?, ?, ?, ?, 0, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, kind.wire());
                ps.setString(2, title);
                ps.setString(3, directKey);
                ps.setString(4, createdBy);
                ps.setObject(5, Sql.ts(now));
                ps.setObject(6, Sql.ts(now));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("no generated id for the new conversation");
                    }
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO chat_members (conversation_id, user_id, joined_at, last_read_seq) VALUES (?, ?, ?, 0)")) {
                for (String member : sorted) {
                    ps.setLong(1, id);
                    ps.setString(2, member);
                    ps.setObject(3, Sql.ts(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return new Created(load(c, id), true);
        });
    }

    private static Long directConversation(Connection c, String directKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM chat_conversations WHERE direct_key = ?")) {
            ps.setString(1, directKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static Conversation load(Connection c, long id) throws SQLException {
        Map<Long, Conversation> found = loadAll(c, List.of(id));
        Conversation conv = found.get(id);
        if (conv == null) {
            throw new SQLException("conversation " + id + " vanished");
        }
        return conv;
    }

    /** Conversations with their members, by id. */
    private static Map<Long, Conversation> loadAll(Connection c, List<Long> ids) throws SQLException {
        Map<Long, Conversation> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String in = "?" + ",?".repeat(ids.size() - 1);
        Map<Long, List<String>> members = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id, user_id FROM chat_members"
                + " WHERE conversation_id IN (" + in + ") ORDER BY conversation_id, user_id")) {
            bindIds(ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, title, created_by, last_seq, created_at,"
                + " last_activity_at FROM chat_conversations WHERE id IN (" + in + ")")) {
            bindIds(ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong("id");
                    out.put(id, new Conversation(id, ConversationKind.fromWire(rs.getString("kind")),
                            rs.getString("title"), rs.getString("created_by"), members.getOrDefault(id, List.of()),
                            rs.getLong("last_seq"), Sql.instant(rs, "created_at"), Sql.instant(rs, "last_activity_at")));
                }
            }
        }
        return out;
    }

    private static void bindIds(PreparedStatement ps, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            ps.setLong(i + 1, ids.get(i));
        }
    }

    @Override
    public Optional<Conversation> conversationFor(long conversationId, String userId) {
        return Transactions.run(pool, "read a conversation", c -> memberRow(c, conversationId, userId) == null
                ? Optional.empty() : Optional.of(load(c, conversationId)));
    }

    @Override
    public Optional<Membership> membership(long conversationId, String userId) {
        return Transactions.run(pool, "check membership", c -> Optional.ofNullable(memberRow(c, conversationId, userId)));
    }

    /** The user's membership, or null. */
    private static Membership memberRow(Connection c, long conversationId, String userId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.last_seq, m.last_read_seq FROM chat_members m"
                + " JOIN chat_conversations c ON c.id = m.conversation_id"
                + " WHERE m.conversation_id = ? AND m.user_id = ?")) {
            ps.setLong(1, conversationId);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Membership(conversationId, userId, rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    @Override
    public Optional<SendResult> append(NewMessage m, Consumer<ChatMessage> committed) {
        // If the writer already took a send that timed out, it may still commit: a retry with the
        // client id replays it.
        return WriterWait.await(submit(m, committed), APPEND_WAIT, "message", "the database");
    }

    @Override
    public CompletableFuture<Optional<SendResult>> appendAsync(NewMessage m, Consumer<ChatMessage> committed,
                                                               ScheduledExecutorService timer) {
        return timer == null ? WriterWait.within(submit(m, committed), APPEND_WAIT, "message", "the database")
                : WriterWait.within(submit(m, committed), APPEND_WAIT, "message", "the database", timer);
    }

    /** Queues a send for the writer; the future completes after the commit. */
    CompletableFuture<Optional<SendResult>> submit(NewMessage m, Consumer<ChatMessage> committed) {
        AppendTransaction.Send send = new AppendTransaction.Send(m, committed);
        // A conversation's lane: always the same one, so its sends stay in one queue.
        return writers.of(m.conversationId()).submit(send, send.bytes());
    }

    @Override
    public void whenRoom(Runnable wake) {
        roomWaiters.add(wake);
        if (queued() == 0) {
            wakeWaiters(); // nothing queued: no commit is coming to wake it
        }
    }

    /**
     * After a commit (on a writer thread): wakes as many waiters as half the free places in the
     * queues, so that their retries fit and the queues do not refill at once; the rest wait for
     * the next commit. A waiter woken by one lane's commit may retry into another lane: if that
     * one is still full it is refused again and waits again.
     */
    private void wakeWaiters() {
        int wake = Math.max(1, (limits.maxQueued() * appends.size() - queued()) / 2);
        for (int i = 0; i < wake; i++) {
            Runnable waiter = roomWaiters.poll();
            if (waiter == null) {
                return;
            }
            try {
                waiter.run();
            } catch (RuntimeException e) {
                // An event loop refusing work at shutdown: its connection is closing anyway.
                log.debug("a chat send waiting for room failed to resume: {}", e.toString());
            }
        }
    }

    /** Sends waiting for the writers, all lanes. */
    int queued() {
        return writers.queued();
    }

    /**
     * Since construction, all lanes: {transactions committed, messages stored, batches run again
     * because the unique index found a retried client id}.
     */
    long[] committed() {
        long[] sum = {writers.commits(), 0, 0};
        for (AppendTransaction lane : appends) {
            sum[1] += lane.stored();
            sum[2] += lane.rerunForRetries();
        }
        return sum;
    }

    /**
     * Refuses new sends and waits (bounded, per lane) until the queued ones are written. Reads
     * keep working.
     */
    @Override
    public void close() {
        writers.close();
    }

    private static List<ChatMessage> messages(Connection c, String where, String tail, long conversationId, long seq)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM chat_messages m WHERE "
                + where + tail)) {
            ps.setLong(1, conversationId);
            ps.setLong(2, seq);
            List<ChatMessage> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(message(rs));
                }
            }
            return out;
        }
    }

    static ChatMessage message(ResultSet rs) throws SQLException {
        return new ChatMessage(rs.getLong("id"), rs.getLong("conversation_id"), rs.getLong("seq"),
                rs.getString("sender_id"), rs.getString("sender_name"), rs.getString("client_id"),
                rs.getString("message_type"), rs.getString("content"), Sql.instant(rs, "created_at"));
    }

    @Override
    public List<ChatMessage> history(long conversationId, long beforeSeq, int limit) {
        List<ChatMessage> newestFirst = Transactions.run(pool, "read history", c -> messages(c, "m.conversation_id = ? AND m.seq < ?",
                " ORDER BY m.seq DESC LIMIT " + limit, conversationId, beforeSeq));
        List<ChatMessage> out = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public List<ChatMessage> readSince(long conversationId, long afterSeq, int limit) {
        return Transactions.run(pool, "read messages", c -> messages(c, "m.conversation_id = ? AND m.seq > ?",
                " ORDER BY m.seq LIMIT " + limit, conversationId, afterSeq));
    }

    @Override
    public long lastSeq(long conversationId) {
        return Transactions.run(pool, "read a conversation", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM chat_conversations WHERE id = ?")) {
                ps.setLong(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public Optional<ReadResult> markRead(long conversationId, String userId, long seq) {
        return Transactions.run(pool, "mark read", c -> {
            Membership m = memberRow(c, conversationId, userId);
            if (m == null) {
                return Optional.empty();
            }
            long target = Math.min(seq, m.lastSeq());
            if (target <= m.lastReadSeq()) {
                return Optional.of(new ReadResult(conversationId, userId, m.lastReadSeq(), m.lastSeq(), false));
            }
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE chat_members SET last_read_seq = ?"
                    + " WHERE conversation_id = ? AND user_id = ? AND last_read_seq < ?")) {
                ps.setLong(1, target);
                ps.setLong(2, conversationId);
                ps.setString(3, userId);
                ps.setLong(4, target);
                updated = ps.executeUpdate();
            }
            Membership after = updated == 1 ? null : memberRow(c, conversationId, userId);
            return Optional.of(updated == 1
                    ? new ReadResult(conversationId, userId, target, m.lastSeq(), true)
                    : new ReadResult(conversationId, userId, after.lastReadSeq(), after.lastSeq(), false));
        });
    }

    @Override
    public List<ConversationSummary> conversationsOf(String userId, int limit) {
        return Transactions.run(pool, "list conversations", c -> {
            List<Long> ids = new ArrayList<>();
            Map<Long, Long> readSeq = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.id, m.last_read_seq FROM chat_members m"
                    + " JOIN chat_conversations c ON c.id = m.conversation_id WHERE m.user_id = ?"
                    + " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT " + limit)) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        readSeq.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            if (ids.isEmpty()) {
                return List.of();
            }
            Map<Long, Conversation> conversations = loadAll(c, ids);
            Map<Long, ChatMessage> last = new HashMap<>();
            String in = "?" + ",?".repeat(ids.size() - 1);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM chat_messages m"
                    + " JOIN chat_conversations c ON c.id = m.conversation_id AND m.seq = c.last_seq"
                    + " WHERE c.id IN (" + in + ")")) {
                bindIds(ps, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ChatMessage msg = message(rs);
                        last.put(msg.conversationId(), msg);
                    }
                }
            }
            List<ConversationSummary> out = new ArrayList<>();
            for (long id : ids) {
                Conversation conv = conversations.get(id);
                if (conv != null) {
                    out.add(new ConversationSummary(conv, last.get(id), readSeq.get(id)));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Reaction> react(long conversationId, String userId, MessageRef ref, String emoji, boolean add) {
        return Transactions.run(pool, "store a reaction", c -> {
            long messageId;
            long seq;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, seq FROM chat_messages WHERE conversation_id = ?"
                    + (ref.seq() > 0 ? " AND seq = ?" : " AND id = ?"))) {
                ps.setLong(1, conversationId);
                ps.setLong(2, ref.seq() > 0 ? ref.seq() : ref.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    messageId = rs.getLong(1);
                    seq = rs.getLong(2);
                }
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM chat_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?")) {
                ps.setLong(1, messageId);
                ps.setString(2, userId);
                ps.setString(3, emoji);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            boolean changed = add != exists;
            if (changed) {
                // A concurrent identical add fails the primary key; Sql retries and finds it.
                try (PreparedStatement ps = c.prepareStatement(add
                        ? "INSERT INTO chat_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)"
                        : "DELETE FROM chat_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?")) {
                    ps.setLong(1, messageId);
                    ps.setString(2, userId);
                    ps.setString(3, emoji);
                    if (add) {
                        ps.setObject(4, Sql.ts(Sql.now()));
                    }
                    changed = ps.executeUpdate() == 1;
                }
            }
            return Optional.of(new Reaction(conversationId, messageId, seq, userId, emoji, add, changed));
        });
    }

    @Override
    public Map<Long, Map<String, List<String>>> reactions(List<Long> messageIds) {
        if (messageIds.isEmpty()) {
            return Map.of();
        }
        return Transactions.run(pool, "read reactions", c -> {
            Map<Long, Map<String, List<String>>> out = new HashMap<>();
            String in = "?" + ",?".repeat(messageIds.size() - 1);
            try (PreparedStatement ps = c.prepareStatement("SELECT message_id, emoji, user_id FROM chat_reactions"
                    + " WHERE message_id IN (" + in + ") ORDER BY created_at, user_id")) {
                bindIds(ps, messageIds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getLong(1), k -> new java.util.LinkedHashMap<>())
                                .computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(3));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Map<String, Set<String>> partnersOf(Collection<String> userIds, int limitEach) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        return Transactions.run(pool, "read conversation partners", c -> {
            Map<String, Set<String>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(PARTNERS)) {
                ps.setArray(1, c.createArrayOf("VARCHAR", new TreeSet<>(userIds).toArray(new String[0])));
                ps.setInt(2, limitEach);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
                    }
                }
            }
            return out;
        });
    }
}
