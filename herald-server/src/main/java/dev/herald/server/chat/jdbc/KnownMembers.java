package dev.herald.server.chat.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * The members of the conversations a chat writer lane sends to, read from the database once per
 * conversation and kept: a conversation's members are fixed when it is created (nothing in
 * Herald adds or removes one, on any node), so a list read once stays true. Whoever adds member
 * changes must drop this cache (or make it check a membership version in the send's
 * transaction): a stale list would let a removed member send.
 *
 * <p>Why: the membership query was a tenth of PostgreSQL's statement time per chat message at
 * 12,500/s offered (an index lookup per conversation and a round trip per batch), for lists
 * that never change.
 *
 * <p>Bounded: at most {@code capacity} member entries in all, the least recently sent-to
 * conversations out first. A conversation that does not exist is not remembered (it is looked up
 * again each time, as before). Not thread-safe: one lane's writer thread uses it.
 */
final class KnownMembers {
    /** Member entries kept per lane at most: about 100 bytes each, 10 MiB per lane. */
    static final int CAPACITY = 100_000;

    // The members as one sorted array per conversation, from a subquery per element: a plan that
    // is one index lookup per conversation whatever the planner thinks of the table. As a join,
    // PostgreSQL chose a hash join over a scan of every member for a handful of conversations
    // (5,000 members: 755 us per batch, a third of the writer's statement time at 12,500/s).
    private static final String MEMBERS = "SELECT k.c, (SELECT ARRAY_AGG(m.user_id ORDER BY m.user_id) FROM chat_members m"
            + " WHERE m.conversation_id = k.c) FROM UNNEST(CAST(? AS BIGINT ARRAY)) AS k(c)";

    /** One conversation's members: sorted, and as a set for the batch's membership checks. */
    record Members(List<String> sorted, Set<String> set) {
        static Members of(List<String> sorted) {
            return new Members(List.copyOf(sorted), Set.copyOf(sorted));
        }
    }

    private final int capacity;
    /** By conversation id, least recently used first. */
    private final LinkedHashMap<Long, Members> byConversation = new LinkedHashMap<>(1024, 0.75f, true);
    private long entries;

    KnownMembers(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * The members of each of these conversations that exists, from memory or, for those not yet
     * known, one query on {@code c} (inside the caller's transaction).
     */
    Map<Long, Members> members(Connection c, SortedSet<Long> conversations) throws SQLException {
        Map<Long, Members> out = new HashMap<>(conversations.size() * 2);
        List<Long> unknown = new ArrayList<>();
        for (Long id : conversations) {
            Members known = byConversation.get(id);
            if (known != null) {
                out.put(id, known);
            } else {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            for (Map.Entry<Long, List<String>> read : read(c, unknown).entrySet()) {
                Members members = Members.of(read.getValue());
                out.put(read.getKey(), members);
                remember(read.getKey(), members);
            }
        }
        return out;
    }

    /** Members of each existing conversation, sorted by user id; a conversation without rows is absent. */
    private static Map<Long, List<String>> read(Connection c, Collection<Long> conversations) throws SQLException {
        Map<Long, List<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(MEMBERS)) {
            ps.setArray(1, c.createArrayOf("BIGINT", conversations.toArray(new Long[0])));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array users = rs.getArray(2);
                    if (users == null) {
                        continue; // no such conversation
                    }
                    List<String> list = new ArrayList<>();
                    for (Object user : (Object[]) users.getArray()) {
                        list.add((String) user);
                    }
                    users.free();
                    out.put(rs.getLong(1), list);
                }
            }
        }
        return out;
    }

    /** Member entries held now. */
    long size() {
        return entries;
    }

    private void remember(long conversationId, Members members) {
        Members before = byConversation.put(conversationId, members);
        entries += members.sorted().size() - (before == null ? 0 : before.sorted().size());
        Iterator<Members> oldest = byConversation.values().iterator();
        while (entries > capacity && oldest.hasNext()) {
            Members evicted = oldest.next();
            if (evicted == members) {
                break; // one conversation larger than the cap: kept alone until the next one
            }
            entries -= evicted.sorted().size();
            oldest.remove();
        }
    }
}
