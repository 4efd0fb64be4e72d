package dev.herald.server.store.jdbc;

import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.Streams;
import dev.herald.server.store.jdbc.GroupCommitWriter.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The publish transaction of the {@link GroupCommitWriter}: stores a batch of publish requests in
 * ONE transaction on a given connection (idempotency check, stream rows, seq allocation,
 * inserts, idempotency records) and, once the writer committed it, hands the new notifications to
 * the {@link Store.CommitListener}. Commit and rollback are the writer's; on any exception nothing
 * of the batch is stored.
 *
 * <p>Seq allocation: each touched stream's row is updated ({@code last_seq = last_seq + n}) in
 * sorted key order before the inserts. The update takes the row lock, held until commit, so
 * two transactions (on this node or another) touching one stream commit in seq order, and sorted
 * locking means two batches never wait on each other in a cycle.
 *
 * <p>Used only by the writer thread. Not thread-safe.
 */
final class PublishTransaction implements GroupCommitWriter.Transaction<PublishRequest, PublishResult> {
    private static final Logger log = LoggerFactory.getLogger(PublishTransaction.class);

    private static final String LOCK_AND_COUNT =
            "UPDATE streams SET last_seq = last_seq + ?, unread = unread + ?, unseen = unseen + ? WHERE stream_key = ?";
    private static final String INSERT_NOTIFICATION = "INSERT INTO notifications "
            + "(stream_key, seq, id, type, body, created_at, category, tags, expires_at, group_key, group_count) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_EXPIRY = "INSERT INTO notification_expiry (stream_key, seq, expires_at) VALUES (?, ?, ?)";
    private static final String INSERT_KEY = "INSERT INTO idempotency_keys "
            + "(idem_key, request_hash, notification_ids, created_at) VALUES (?, ?, ?, ?)";
    private static final String INSERT_PUSH_JOB = "INSERT INTO push_jobs (stream_key, seq, notification_id, policy, "
            + "collapse_key, options, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    /** Every user stream: a key range, so it is an index range scan and needs no LIKE escaping. */
    private static final String USER_STREAMS =
            "SELECT stream_key FROM streams WHERE stream_key >= 'user:' AND stream_key < 'user;'";

    private final StreamRows streamRows;
    private final Store.CommitListener listener;
    private final Categories categories;
    private final PreferenceRows.Memory preferences = new PreferenceRows.Memory();
    private final Runnable pushJobsCommitted;
    /** Whether the batch being run wrote push jobs (the writer thread's own state). */
    private boolean wrotePushJobs;

    /** @param pushJobsCommitted told after a commit that wrote push jobs (must not block) */
    PublishTransaction(StreamRows streamRows, Store.CommitListener listener, Categories categories,
                       Runnable pushJobsCommitted) {
        this.streamRows = streamRows;
        this.listener = listener;
        this.categories = categories;
        this.pushJobsCommitted = pushJobsCommitted;
    }

    /** Runs the batch; returns one outcome per request, in order. The writer commits. */
    @Override
    public List<Outcome<PublishResult>> run(Connection c, List<PublishRequest> requests) throws SQLException {
        int n = requests.size();
        @SuppressWarnings("unchecked")
        Outcome<PublishResult>[] outcomes = new Outcome[n];
        Map<String, String[]> existingKeys = loadKeys(c, requests);

        // Decide per request: store, replay an earlier result, or refuse.
        Map<String, Integer> firstInBatch = new HashMap<>();
        int[] replayOf = new int[n];
        Arrays.fill(replayOf, -1);
        List<Integer> toStore = new ArrayList<>();
        List<Integer> replayFromDb = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PublishRequest r = requests.get(i);
            String key = r.idempotencyKey();
            if (key == null) {
                toStore.add(i);
                continue;
            }
            String[] existing = existingKeys.get(key);
            Integer earlier = firstInBatch.get(key);
            String firstHash = existing != null ? existing[0] : earlier != null ? requests.get(earlier).requestHash() : null;
            if (firstHash == null) {
                firstInBatch.put(key, i);
                toStore.add(i);
            } else if (!firstHash.equals(r.requestHash())) {
                outcomes[i] = Outcome.refused(new IdempotencyConflictException(key));
            } else if (existing != null) {
                replayFromDb.add(i);
            } else {
                replayOf[i] = earlier;
            }
        }

        // Targets of each stored request, in request order, deduplicated.
        List<String> userStreams = null;
        List<List<String>> targets = new ArrayList<>();
        TreeMap<String, Integer> perStream = new TreeMap<>();
        for (int i : toStore) {
            PublishRequest r = requests.get(i);
            LinkedHashSet<String> streams = new LinkedHashSet<>(r.streams());
            if (r.allUserStreams()) {
                if (userStreams == null) {
                    userStreams = userStreams(c);
                }
                streams.addAll(userStreams);
            }
            targets.add(List.copyOf(streams));
            for (String s : streams) {
                perStream.merge(s, 1, Integer::sum);
            }
        }

        streamRows.insertMissing(c, perStream.keySet());
        Map<String, long[]> cursors = allocate(c, perStream);
        Muting muting = muting(c, requests, toStore, cursors);
        Map<String, Integer> mutedPerStream = new TreeMap<>();

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        OffsetDateTime dbNow = NotificationRows.toDb(now);
        List<StoredNotification> stored = new ArrayList<>();
        Digests digests = new Digests();
        try (PreparedStatement ps = c.prepareStatement(INSERT_NOTIFICATION)) {
            for (int t = 0; t < toStore.size(); t++) {
                int i = toStore.get(t);
                PublishRequest r = requests.get(i);
                List<StoredNotification> mine = new ArrayList<>(targets.get(t).size());
                List<String> muted = new ArrayList<>();
                for (String stream : targets.get(t)) {
                    if (muting.mutes(r, stream)) {
                        muted.add(stream);
                        mutedPerStream.merge(stream, 1, Integer::sum);
                        continue;
                    }
                    long[] cursor = cursors.get(stream);
                    String json = r.json();
                    Digests.Row previous = null;
                    int groupCount = 0;
                    if (r.groupKey() != null && Streams.isUser(stream)) {
                        previous = digests.previous(c, stream, r.groupKey(), r.groupWindow(), cursor[0], now);
                        groupCount = previous == null ? 1 : previous.count() + 1;
                        json = Digests.body(json, groupCount, previous == null ? null : previous.id());
                        if (previous != null) {
                            // The replaced row leaves the counts as this one enters them.
                            cursor[1]--;
                            cursor[2] -= previous.unseen() ? 1 : 0;
                        }
                    }
                    StoredNotification sn = StoredNotification.fresh(NotificationIds.next(now.toEpochMilli()), stream,
                            ++cursor[0], r.type(), json, now, ++cursor[1], ++cursor[2]);
                    ps.setString(1, stream);
                    ps.setLong(2, sn.seq());
                    ps.setString(3, sn.id());
                    ps.setString(4, sn.type());
                    ps.setString(5, sn.json());
                    ps.setObject(6, dbNow);
                    ps.setString(7, r.category());
                    ps.setString(8, NotificationRows.tagsToDb(r.tags()));
                    ps.setObject(9, r.expiresAt() == null ? null : NotificationRows.toDb(r.expiresAt()));
                    ps.setString(10, groupCount == 0 ? null : r.groupKey());
                    ps.setObject(11, groupCount == 0 ? null : groupCount, java.sql.Types.INTEGER);
                    ps.addBatch();
                    mine.add(sn);
                    if (groupCount > 0) {
                        digests.made(stream, r.groupKey(), new Digests.Row(sn.seq(), sn.id(), groupCount, true), previous);
                    }
                }
                outcomes[i] = Outcome.of(new PublishResult(mine, false, muted));
                stored.addAll(mine);
            }
            if (!stored.isEmpty()) {
                ps.executeBatch();
            }
        }
        digests.finish(c);
        uncount(c, mutedPerStream);
        insertExpiries(c, requests, toStore, outcomes);
        wrotePushJobs = insertPushJobs(c, requests, toStore, outcomes, muting, now);

        insertKeys(c, requests, toStore, outcomes, dbNow);
        for (int i = 0; i < n; i++) {
            if (replayOf[i] >= 0) {
                Outcome<PublishResult> first = outcomes[replayOf[i]];
                outcomes[i] = Outcome.of(new PublishResult(first.result().notifications(), true));
            }
        }
        for (int i : replayFromDb) {
            String[] existing = existingKeys.get(requests.get(i).idempotencyKey());
            outcomes[i] = Outcome.of(new PublishResult(loadByIds(c, existing[1]), true));
        }
        return List.of(outcomes);
    }

    /**
     * Remembers the streams that now have rows, then hands the newly stored notifications (not
     * the replayed ones) to the listener, in commit order.
     */
    @Override
    public void committed(List<PublishRequest> requests, List<Outcome<PublishResult>> outcomes) {
        List<StoredNotification> committed = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        for (Outcome<PublishResult> o : outcomes) {
            if (o.result() != null && !o.result().replayed()) {
                for (StoredNotification sn : o.result().notifications()) {
                    committed.add(sn);
                    streams.add(sn.stream());
                }
            }
        }
        streamRows.remember(streams);
        if (wrotePushJobs) {
            wrotePushJobs = false;
            pushJobsCommitted.run();
        }
        if (!committed.isEmpty()) {
            try {
                listener.committed(committed);
            } catch (RuntimeException e) {
                log.error("commit listener failed on {} notifications", committed.size(), e);
            }
        }
    }

    /** Existing idempotency records of the batch's keys: key -> [hash, ids]. */
    private static Map<String, String[]> loadKeys(Connection c, List<PublishRequest> requests) throws SQLException {
        TreeSet<String> keys = new TreeSet<>();
        for (PublishRequest r : requests) {
            if (r.idempotencyKey() != null) {
                keys.add(r.idempotencyKey());
            }
        }
        Map<String, String[]> found = new HashMap<>();
        NotificationRows.selectIn(c,
                "SELECT idem_key, request_hash, notification_ids FROM idempotency_keys WHERE idem_key", keys,
                rs -> found.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)}));
        return found;
    }

    private static List<String> userStreams(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(USER_STREAMS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Locks and advances every touched stream row (sorted order), reading the new values back.
     * Returns stream -> [seq, unread, unseen before this batch, to be advanced per insert; the
     * row's preferences version].
     */
    private static Map<String, long[]> allocate(Connection c, TreeMap<String, Integer> perStream) throws SQLException {
        if (perStream.isEmpty()) {
            return Map.of();
        }
        // The driver appends RETURNING (PostgreSQL) or reads the data change delta (H2): one
        // primary-key update per stream and no read-back query, whose plan could go stale.
        Map<String, long[]> cursors = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK_AND_COUNT, new String[] {"stream_key", "last_seq", "unread", "unseen", "prefs_version"})) {
            for (Map.Entry<String, Integer> e : perStream.entrySet()) {
                addCount(ps, e.getKey(), e.getValue());
            }
            ps.executeBatch();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                while (rs.next()) {
                    int added = perStream.get(rs.getString(1));
                    cursors.put(rs.getString(1), new long[] {rs.getLong(2) - added, rs.getLong(3) - added, rs.getLong(4) - added,
                            rs.getLong(5)});
                }
            }
        }
        if (cursors.size() != perStream.size()) {
            throw new SQLException("a stream row vanished during the publish", "HX001");
        }
        return cursors;
    }

    /**
     * Who of the batch's user streams must not get which notification: their preferences (read
     * only for users who set some, the stream row's version says who) and the categories' settings
     * (read only when the batch has a categorized publish).
     */
    private Muting muting(Connection c, List<PublishRequest> requests, List<Integer> toStore,
                          Map<String, long[]> cursors) throws SQLException {
        Map<String, Long> versions = new HashMap<>();
        cursors.forEach((stream, cursor) -> {
            if (cursor[3] > 0) {
                versions.put(stream, cursor[3]);
            }
        });
        boolean categorized = false;
        for (int i : toStore) {
            categorized |= requests.get(i).category() != null;
        }
        if (versions.isEmpty() && !categorized) {
            return Muting.NONE; // no category, no user's preferences: nothing muted, push as requested
        }
        return new Muting(versions.isEmpty() ? Map.of() : preferences.of(c, versions),
                categorized ? categories.current(c) : Map.of());
    }

    /** The batch's preferences and category settings, and the rule that joins them. */
    private record Muting(Map<String, Preferences> byStream, Map<String, InboxCategory> categories) {
        static final Muting NONE = new Muting(Map.of(), Map.of());

        /** True when {@code stream} is a user's stream whose preferences keep {@code r} out of the inbox. */
        boolean mutes(PublishRequest r, String stream) {
            if (this == NONE || !Streams.isUser(stream)) {
                return false;
            }
            return !allows(Preferences.IN_APP, r, stream);
        }

        /** How {@code r} asks to be pushed: its own choice, else its category's default. */
        PushRequest push(PublishRequest r) {
            if (r.push() != null) {
                return r.push();
            }
            InboxCategory settings = r.category() == null ? null : categories.get(r.category());
            return settings == null ? PushRequest.NONE : settings.pushDefault();
        }

        /** True when {@code stream}'s preferences let {@code r} reach the user through {@code channel}. */
        boolean allows(String channel, PublishRequest r, String stream) {
            if (this == NONE) {
                return true;
            }
            InboxCategory settings = r.category() == null ? null : categories.get(r.category());
            return byStream.getOrDefault(stream, Preferences.DEFAULT).allows(channel, r.category(), settings, r.type());
        }
    }

    /** Gives the muted notifications' seqs and counts back: their stream rows are still locked by this batch. */
    private static void uncount(Connection c, Map<String, Integer> mutedPerStream) throws SQLException {
        if (mutedPerStream.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(LOCK_AND_COUNT)) {
            for (Map.Entry<String, Integer> e : mutedPerStream.entrySet()) {
                addCount(ps, e.getKey(), -e.getValue());
            }
            ps.executeBatch();
        }
    }

    /** One row of {@link #LOCK_AND_COUNT}: {@code n} more (or, negative, fewer) notifications in {@code stream}. */
    private static void addCount(PreparedStatement ps, String stream, int n) throws SQLException {
        ps.setInt(1, n);
        ps.setInt(2, n);
        ps.setInt(3, n);
        ps.setString(4, stream);
        ps.addBatch();
    }

    /** The deadlines of the stored notifications that have one, for the purge (V105). */
    private static void insertExpiries(Connection c, List<PublishRequest> requests, List<Integer> toStore,
                                       Outcome<PublishResult>[] outcomes) throws SQLException {
        PreparedStatement ps = null;
        try {
            for (int i : toStore) {
                PublishRequest r = requests.get(i);
                if (r.expiresAt() == null) {
                    continue;
                }
                if (ps == null) {
                    ps = c.prepareStatement(INSERT_EXPIRY);
                }
                for (StoredNotification sn : outcomes[i].result().notifications()) {
                    ps.setString(1, sn.stream());
                    ps.setLong(2, sn.seq());
                    ps.setObject(3, NotificationRows.toDb(r.expiresAt()));
                    ps.addBatch();
                }
            }
            if (ps != null) {
                ps.executeBatch();
            }
        } finally {
            if (ps != null) {
                ps.close();
            }
        }
    }

    /**
     * The outbox (V109): one push job per notification stored in a user's stream whose publish
     * asks for push (itself or by its category) and whose user's preferences allow push. Sent by
     * the push dispatcher of whichever node takes it. A digest's pushes collapse by its group.
     * Returns whether any was written.
     */
    private static boolean insertPushJobs(Connection c, List<PublishRequest> requests, List<Integer> toStore,
                                          Outcome<PublishResult>[] outcomes, Muting muting, Instant now) throws SQLException {
        PreparedStatement ps = null;
        try {
            for (int i : toStore) {
                PublishRequest r = requests.get(i);
                PushRequest push = muting.push(r);
                if (push.policy() == PushPolicy.NONE) {
                    continue;
                }
                String collapseKey = push.collapseKey() != null ? push.collapseKey()
                        : r.groupKey() != null ? Digests.collapseKey(r.groupKey()) : null;
                OffsetDateTime due = NotificationRows.toDb(now.plus(push.delay()));
                for (StoredNotification sn : outcomes[i].result().notifications()) {
                    if (!Streams.isUser(sn.stream()) || !muting.allows(Preferences.PUSH, r, sn.stream())) {
                        continue;
                    }
                    if (ps == null) {
                        ps = c.prepareStatement(INSERT_PUSH_JOB);
                    }
                    ps.setString(1, sn.stream());
                    ps.setLong(2, sn.seq());
                    ps.setString(3, sn.id());
                    ps.setString(4, push.policy().wireName());
                    ps.setString(5, collapseKey);
                    ps.setString(6, push.options());
                    ps.setObject(7, due);
                    ps.setObject(8, NotificationRows.toDb(now));
                    ps.addBatch();
                }
            }
            if (ps == null) {
                return false;
            }
            ps.executeBatch();
            return true;
        } finally {
            if (ps != null) {
                ps.close();
            }
        }
    }

    private static void insertKeys(Connection c, List<PublishRequest> requests, List<Integer> toStore,
                                   Outcome<PublishResult>[] outcomes, OffsetDateTime dbNow) throws SQLException {
        // Sorted by key so concurrent batches wait on each other's keys in one order.
        TreeMap<String, Integer> byKey = new TreeMap<>();
        for (int i : toStore) {
            if (requests.get(i).idempotencyKey() != null) {
                byKey.put(requests.get(i).idempotencyKey(), i);
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_KEY)) {
            for (Map.Entry<String, Integer> e : byKey.entrySet()) {
                PublishRequest r = requests.get(e.getValue());
                StringBuilder ids = new StringBuilder();
                for (StoredNotification sn : outcomes[e.getValue()].result().notifications()) {
                    ids.append(ids.isEmpty() ? "" : ",").append(sn.id());
                }
                ps.setString(1, e.getKey());
                ps.setString(2, r.requestHash());
                ps.setString(3, ids.toString());
                ps.setObject(4, dbNow);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The original notifications of a replayed key, in their stored order; deleted ones are gone. */
    private static List<StoredNotification> loadByIds(Connection c, String commaIds) throws SQLException {
        if (commaIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = List.of(commaIds.split(","));
        Map<String, StoredNotification> byId = new HashMap<>();
        NotificationRows.selectIn(c, "SELECT " + NotificationRows.COLUMNS + " FROM notifications WHERE id", ids,
                rs -> byId.put(rs.getString(1), NotificationRows.read(rs)));
        List<StoredNotification> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            StoredNotification sn = byId.get(id);
            if (sn != null) {
                out.add(sn);
            }
        }
        return out;
    }
}
