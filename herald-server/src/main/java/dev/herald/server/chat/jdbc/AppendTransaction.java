package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.NewMessage;
import dev.herald.server.chat.SendResult;
import dev.herald.server.store.jdbc.GroupCommitWriter;
import dev.herald.server.store.jdbc.GroupCommitWriter.Outcome;
import dev.herald.server.store.jdbc.SqlFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The chat transaction of the {@link GroupCommitWriter}: stores a batch of chat messages in ONE
 * transaction on a given connection (membership, client id replays, seq allocation, inserts, the
 * senders' read markers) and, once the writer committed it, runs each new message's
 * {@code committed} callback in commit order. Commit and rollback are the writer's; on any
 * exception nothing of the batch is stored.
 *
 * <p>Per batch, whatever its size: one membership query (only for conversations the lane has
 * not sent to before: members never change, {@link KnownMembers}), one batched conversation row update,
 * one insert of every message (its columns as arrays), one batched read marker update, each
 * with a fixed statement text.
 *
 * <p>Retries: a send whose client id is already stored is a retry, answered with the stored
 * message. The unique index on (conversation, sender, client id) is what finds them: the batch is
 * stored behind a savepoint without looking its client ids up first, and only if the index
 * refuses a row is it rolled back to the savepoint and run again after one lookup of all its
 * client ids. Retries are rare (a client that lost an ack on a dropped connection), and looking
 * up every send had cost the writer a tenth of its time; after a refusal the writer looks up
 * first for {@link #LOOK_UP_AFTER_REPLAY}, so a client that keeps retrying costs at most one
 * rolled-back batch per that period.
 *
 * <p>Seq allocation: each touched conversation's row is updated
 * ({@code last_seq = last_seq + n}) in id order before the inserts. The update takes the row
 * lock, held until commit, so two transactions (on this node or another) touching one
 * conversation commit in seq order, and id-ordered locking means two batches never wait on each
 * other in a cycle. A retry racing on another node is refused by the unique index once the other
 * transaction commits, and found by the lookup that follows.
 *
 * <p>Used only by the writer thread. Not thread-safe, but for its counters ({@link #stored()},
 * {@link #rerunForRetries()}).
 */
final class AppendTransaction implements GroupCommitWriter.Transaction<AppendTransaction.Send, Optional<SendResult>> {
    private static final Logger log = LoggerFactory.getLogger(AppendTransaction.class);

    /** How long the writer looks client ids up before storing, after the unique index refused one. */
    static final Duration LOOK_UP_AFTER_REPLAY = Duration.ofSeconds(10);

    // Arrays joined as tables: one fixed statement text whatever the batch size (so both
    // databases keep it prepared), planned as one index lookup per element in both.
    private static final String LOOKUP = "SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.sender_name,"
            + " m.client_id, m.message_type, m.content, m.created_at FROM UNNEST(CAST(? AS BIGINT ARRAY),"
            + " CAST(? AS VARCHAR ARRAY), CAST(? AS VARCHAR ARRAY)) AS k(c, s, i) JOIN chat_messages m"
            + " ON m.conversation_id = k.c AND m.sender_id = k.s AND m.client_id = k.i";
    private static final String ALLOCATE = "UPDATE chat_conversations SET last_seq = last_seq + ?, last_activity_at = ?"
            + " WHERE id = ?";
    // Every message of the batch in one statement, its columns as arrays: per row, a batched
    // single-row insert cost PostgreSQL an executor start and a result of its own.
    private static final String INSERT = "INSERT INTO chat_messages (conversation_id, seq, sender_id, sender_name,"
            + " client_id, message_type, content, created_at) SELECT k.c, k.s, k.sender, k.name, k.client, k.type,"
            + " k.content, CAST(? AS TIMESTAMP WITH TIME ZONE) FROM UNNEST(CAST(? AS BIGINT ARRAY), CAST(? AS BIGINT ARRAY),"
            + " CAST(? AS VARCHAR ARRAY), CAST(? AS VARCHAR ARRAY), CAST(? AS VARCHAR ARRAY), CAST(? AS VARCHAR ARRAY),"
            + " CAST(? AS VARCHAR ARRAY)) AS k(c, s, sender, name, client, type, content)";
    private static final String MOVE_READ_MARKER = "UPDATE chat_members SET last_read_seq = ?"
            + " WHERE conversation_id = ? AND user_id = ? AND last_read_seq < ?";

    /** A (conversation, sender, client id) triple: what makes a retried send the same message. */
    private record ClientKey(long conversationId, String senderId, String clientId) {
        static ClientKey of(NewMessage m) {
            return m.clientId() == null ? null : new ClientKey(m.conversationId(), m.senderId(), m.clientId());
        }
    }

    /**
     * One send: the message, and what to do with it once committed (hand it to delivery); the
     * callback runs on the writer thread, only if the message was newly stored.
     */
    record Send(NewMessage message, Consumer<ChatMessage> committed) {
        /** Its weight in the writer's queue, roughly in bytes of memory. */
        long bytes() {
            return NewMessage.weight(message.content(), message.senderName());
        }
    }

    /** Where a message sits: what identifies an inserted row before its id is known. */
    private record MessageKey(long conversationId, long seq) {
    }

    /** A message this batch stored, with its index in the batch. */
    private record Stored(int index, ChatMessage message) {
    }

    /** This lane's members of the conversations it writes to; the writer thread's. */
    private final KnownMembers knownMembers = new KnownMembers(KnownMembers.CAPACITY);

    /** Messages stored since construction (not counting replays). */
    private final LongAdder storedCount = new LongAdder();
    /** Batches rolled back to their savepoint because the client id index refused a row. */
    private final LongAdder refusedByIndex = new LongAdder();
    /** {@link System#nanoTime} until which client ids are looked up first; writer thread only. */
    private long lookUpUntil = System.nanoTime();

    long stored() {
        return storedCount.sum();
    }

    /** Batches run again because the unique index found a retry the writer had not looked up. */
    long rerunForRetries() {
        return refusedByIndex.sum();
    }

    /**
     * Runs the batch; one answer per send, in order: the message (new or replayed), or empty when
     * the sender is not a member. The writer commits.
     */
    @Override
    public List<Outcome<Optional<SendResult>>> run(Connection c, List<Send> sends) throws SQLException {
        List<NewMessage> batch = new ArrayList<>(sends.size());
        for (Send send : sends) {
            batch.add(send.message());
        }
        int n = batch.size();
        TreeSet<Long> conversations = new TreeSet<>();
        for (NewMessage m : batch) {
            conversations.add(m.conversationId());
        }
        Map<Long, KnownMembers.Members> members = knownMembers.members(c, conversations);

        Set<ClientKey> keys = new HashSet<>();
        for (NewMessage m : batch) {
            KnownMembers.Members of = members.get(m.conversationId());
            if (m.clientId() != null && of != null && of.set().contains(m.senderId())) {
                keys.add(ClientKey.of(m));
            }
        }
        if (!keys.isEmpty() && System.nanoTime() - lookUpUntil >= 0) {
            Savepoint unchecked = c.setSavepoint();
            try {
                return store(c, batch, members, Map.of());
            } catch (SQLException e) {
                if (!SqlFailures.isUniqueViolation(e)) {
                    throw e;
                }
                c.rollback(unchecked);
                refusedByIndex.increment();
                lookUpUntil = System.nanoTime() + LOOK_UP_AFTER_REPLAY.toNanos();
                log.debug("a batch of {} held a retried client id: storing it again after a lookup", n);
            }
        }
        return store(c, batch, members, lookup(c, keys));
    }

    /**
     * Stores the batch: decides per message (not a member, replay of a stored message in
     * {@code earlier}, replay of an earlier one of this batch, or new), allocates seqs, inserts,
     * moves the read markers. One answer per send, in order.
     */
    private List<Outcome<Optional<SendResult>>> store(Connection c, List<NewMessage> batch,
                                                      Map<Long, KnownMembers.Members> members,
                                                      Map<ClientKey, ChatMessage> earlier) throws SQLException {
        int n = batch.size();
        List<Optional<SendResult>> answers = new ArrayList<>(n);
        Map<ClientKey, Integer> firstInBatch = new HashMap<>();
        int[] replayOf = new int[n];
        List<Integer> toStore = new ArrayList<>();
        TreeMap<Long, Integer> perConversation = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            NewMessage m = batch.get(i);
            replayOf[i] = -1;
            KnownMembers.Members of = members.get(m.conversationId());
            if (of == null || !of.set().contains(m.senderId())) {
                answers.add(Optional.empty());
                continue;
            }
            ClientKey key = ClientKey.of(m);
            ChatMessage stored = key == null ? null : earlier.get(key);
            if (stored != null) {
                answers.add(Optional.of(new SendResult(stored, true, of.sorted())));
                continue;
            }
            Integer first = key == null ? null : firstInBatch.putIfAbsent(key, i);
            if (first != null) {
                replayOf[i] = first;
                answers.add(null); // filled in once the first is stored
                continue;
            }
            answers.add(null);
            toStore.add(i);
            perConversation.merge(m.conversationId(), 1, Integer::sum);
        }

        Instant now = Sql.now();
        OffsetDateTime dbNow = Sql.ts(now);
        Map<Long, long[]> cursors = allocate(c, perConversation, dbNow);
        List<Stored> stored = insert(c, batch, toStore, cursors, now, dbNow);
        moveReadMarkers(c, stored);
        for (Stored s : stored) {
            answers.set(s.index(), Optional.of(new SendResult(s.message(), false,
                    members.get(s.message().conversationId()).sorted())));
        }
        for (int i = 0; i < n; i++) {
            if (replayOf[i] >= 0) {
                SendResult first = answers.get(replayOf[i]).orElseThrow();
                answers.set(i, Optional.of(new SendResult(first.message(), true, first.members())));
            }
        }
        List<Outcome<Optional<SendResult>>> outcomes = new ArrayList<>(n);
        for (Optional<SendResult> answer : answers) {
            outcomes.add(Outcome.of(answer));
        }
        return outcomes;
    }

    /** Runs the callbacks of the messages the batch newly stored, in commit order. */
    @Override
    public void committed(List<Send> sends, List<Outcome<Optional<SendResult>>> outcomes) {
        for (int i = 0; i < sends.size(); i++) {
            Optional<SendResult> answer = outcomes.get(i).result();
            if (answer.isEmpty() || answer.get().replayed()) {
                continue;
            }
            ChatMessage m = answer.get().message();
            storedCount.increment();
            try {
                sends.get(i).committed().accept(m);
            } catch (RuntimeException e) {
                log.error("committed callback failed conversation={} seq={}", m.conversationId(), m.seq(), e);
            }
        }
    }

    /** Stored messages with these client keys: one exact lookup per key on the unique index. */
    private static Map<ClientKey, ChatMessage> lookup(Connection c, Set<ClientKey> keys) throws SQLException {
        Map<ClientKey, ChatMessage> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        Long[] conversations = new Long[keys.size()];
        String[] senders = new String[keys.size()];
        String[] clientIds = new String[keys.size()];
        int i = 0;
        for (ClientKey k : keys) {
            conversations[i] = k.conversationId();
            senders[i] = k.senderId();
            clientIds[i++] = k.clientId();
        }
        try (PreparedStatement ps = c.prepareStatement(LOOKUP)) {
            ps.setArray(1, c.createArrayOf("BIGINT", conversations));
            ps.setArray(2, c.createArrayOf("VARCHAR", senders));
            ps.setArray(3, c.createArrayOf("VARCHAR", clientIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ChatMessage m = JdbcChatStore.message(rs);
                    out.put(new ClientKey(m.conversationId(), m.senderId(), m.clientId()), m);
                }
            }
        }
        return out;
    }

    /**
     * Locks and advances every touched conversation row (id order), reading the new counter
     * back. Returns conversation id -> [seq before this batch].
     */
    private static Map<Long, long[]> allocate(Connection c, TreeMap<Long, Integer> perConversation,
                                              OffsetDateTime dbNow) throws SQLException {
        Map<Long, long[]> cursors = new HashMap<>();
        if (perConversation.isEmpty()) {
            return cursors;
        }
        // The driver appends RETURNING (PostgreSQL) or reads the data change delta (H2): no
        // read-back query.
        try (PreparedStatement ps = c.prepareStatement(ALLOCATE, new String[] {"id", "last_seq"})) {
            for (Map.Entry<Long, Integer> e : perConversation.entrySet()) {
                ps.setInt(1, e.getValue());
                ps.setObject(2, dbNow);
                ps.setLong(3, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    cursors.put(id, new long[] {rs.getLong(2) - perConversation.get(id)});
                }
            }
        }
        if (cursors.size() != perConversation.size()) {
            throw new SQLException("a conversation row vanished during the send", "HX001");
        }
        return cursors;
    }

    private static List<Stored> insert(Connection c, List<NewMessage> batch, List<Integer> toStore,
                                       Map<Long, long[]> cursors, Instant now, OffsetDateTime dbNow)
            throws SQLException {
        List<Stored> stored = new ArrayList<>(toStore.size());
        if (toStore.isEmpty()) {
            return stored;
        }
        int rows = toStore.size();
        Long[] conversations = new Long[rows];
        Long[] seqs = new Long[rows];
        String[][] text = new String[5][rows];
        // (conversation, seq) -> index in toStore: how each generated id finds its message, since
        // neither database promises the order of the rows an INSERT ... SELECT returns.
        Map<MessageKey, Integer> byKey = new HashMap<>();
        for (int t = 0; t < rows; t++) {
            NewMessage m = batch.get(toStore.get(t));
            conversations[t] = m.conversationId();
            seqs[t] = ++cursors.get(m.conversationId())[0];
            text[0][t] = m.senderId();
            text[1][t] = m.senderName();
            text[2][t] = m.clientId();
            text[3][t] = m.messageType();
            text[4][t] = m.content();
            byKey.put(new MessageKey(conversations[t], seqs[t]), t);
        }
        ChatMessage[] inserted = new ChatMessage[rows];
        try (PreparedStatement ps = c.prepareStatement(INSERT, new String[] {"id", "conversation_id", "seq"})) {
            ps.setObject(1, dbNow);
            ps.setArray(2, c.createArrayOf("BIGINT", conversations));
            ps.setArray(3, c.createArrayOf("BIGINT", seqs));
            for (int column = 0; column < text.length; column++) {
                ps.setArray(4 + column, c.createArrayOf("VARCHAR", text[column]));
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                while (keys.next()) {
                    Integer t = byKey.get(new MessageKey(keys.getLong(2), keys.getLong(3)));
                    if (t == null || inserted[t] != null) {
                        throw new SQLException("the insert returned an unexpected row: conversation " + keys.getLong(2)
                                + " seq " + keys.getLong(3));
                    }
                    NewMessage m = batch.get(toStore.get(t));
                    inserted[t] = new ChatMessage(keys.getLong(1), m.conversationId(), seqs[t], m.senderId(),
                            m.senderName(), m.clientId(), m.messageType(), m.content(), now);
                }
            }
        }
        for (int t = 0; t < rows; t++) {
            if (inserted[t] == null) {
                throw new SQLException("no generated id for message " + (t + 1) + " of " + rows);
            }
            stored.add(new Stored(toStore.get(t), inserted[t]));
        }
        return stored;
    }

    /** Moves each sender's read marker to their last message of the batch, in key order. */
    private static void moveReadMarkers(Connection c, List<Stored> stored) throws SQLException {
        if (stored.isEmpty()) {
            return;
        }
        TreeMap<Long, TreeMap<String, Long>> last = new TreeMap<>();
        for (Stored s : stored) {
            last.computeIfAbsent(s.message().conversationId(), k -> new TreeMap<>())
                    .merge(s.message().senderId(), s.message().seq(), Math::max);
        }
        try (PreparedStatement ps = c.prepareStatement(MOVE_READ_MARKER)) {
            for (Map.Entry<Long, TreeMap<String, Long>> conv : last.entrySet()) {
                for (Map.Entry<String, Long> sender : conv.getValue().entrySet()) {
                    ps.setLong(1, sender.getValue());
                    ps.setLong(2, conv.getKey());
                    ps.setString(3, sender.getKey());
                    ps.setLong(4, sender.getValue());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }
}
