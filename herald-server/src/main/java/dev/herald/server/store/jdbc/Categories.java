package dev.herald.server.store.jdbc;

import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import dev.herald.server.store.Store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The app's category settings ({@code inbox_categories}) as the publish writers read them: kept
 * in memory and read again when older than {@link Store#CATEGORY_SETTINGS_DELAY}, or at once
 * after a change made through this node. A deployment has a handful of categories; reading them
 * all costs one small query per interval, not one per publish (or push job: {@link Store#category}).
 * Thread-safe: readers racing on stale settings may each read them, harmlessly.
 */
final class Categories {
    private static final String SELECT = "SELECT category, in_app, push, critical, description, push_policy, push_delay_ms FROM inbox_categories";

    private final LongSupplier nanoTime;
    private volatile Map<String, InboxCategory> current = Map.of();
    /** When {@link #current} was read; {@code Long.MIN_VALUE} forces a read. */
    private volatile long readAt = Long.MIN_VALUE;

    Categories(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The settings by name, read on {@code c} when stale. */
    Map<String, InboxCategory> current(Connection c) throws SQLException {
        long now = nanoTime.getAsLong();
        if (stale(now)) {
            Map<String, InboxCategory> fresh = new HashMap<>();
            for (InboxCategory category : all(c)) {
                fresh.put(category.name(), category);
            }
            current = Map.copyOf(fresh);
            readAt = now;
        }
        return current;
    }

    /** The settings by name if they need no read, else null (then {@link #current} reads them). */
    Map<String, InboxCategory> ifFresh() {
        Map<String, InboxCategory> settings = current; // before the check: a read in between only makes it newer
        return stale(nanoTime.getAsLong()) ? null : settings;
    }

    private boolean stale(long now) {
        long at = readAt;
        return at == Long.MIN_VALUE || now - at >= Store.CATEGORY_SETTINGS_DELAY.toNanos();
    }

    /** A change was made through this node: read again before the next publish. */
    void changed() {
        readAt = Long.MIN_VALUE;
    }

    static List<InboxCategory> all(Connection c) throws SQLException {
        List<InboxCategory> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY category"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new InboxCategory(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getString(5), pushDefault(rs.getString(6), rs.getLong(7))));
            }
        }
        return out;
    }

    private static PushRequest pushDefault(String policy, long delayMillis) {
        PushPolicy p = policy == null ? PushPolicy.NONE : PushPolicy.of(policy).orElse(PushPolicy.NONE);
        return PushRequest.of(p, p == PushPolicy.IF_UNSEEN_AFTER ? Duration.ofMillis(delayMillis) : Duration.ZERO);
    }

    /** Insert or replace. */
    static void put(Connection c, InboxCategory category) throws SQLException {
        boolean noPush = category.pushDefault().policy() == PushPolicy.NONE;
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("in_app", category.inApp());
        values.put("push", category.push());
        values.put("critical", category.critical());
        values.put("description", category.description());
        values.put("updated_at", NotificationRows.toDb(java.time.Instant.now()));
        values.put("push_policy", noPush ? null : category.pushDefault().policy().wireName());
        values.put("push_delay_ms", noPush ? null : category.pushDefault().delay().toMillis());
        Upserts.put(c, "inbox_categories", "category", category.name(), values);
    }
}
