package dev.herald.server.push.jdbc;

import dev.herald.server.push.PushAttempt;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushJob;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushStore;
import dev.herald.server.push.PushedNotification;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.push.PushTemplate;
import dev.herald.server.store.jdbc.Leases;
import dev.herald.server.store.jdbc.Transactions;
import dev.herald.server.store.jdbc.Upserts;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@link PushStore} on the store's database (V109), in portable SQL. Each call is one short
 * transaction ({@link Transactions}). A job is claimed by a conditional update of its lease, so
 * of several nodes claiming at once exactly one gets each row; a node that dies holding a lease
 * leaves its jobs to the others once the lease ends. Thread-safe.
 */
public final class JdbcPushStore implements PushStore {
    private static final String DEVICE_COLUMNS = "device_id, stream_key, platform, address, p256dh, auth, apns_topic, "
            + "apns_sandbox, created_at";
    private static final String JOB_COLUMNS = "job_id, stream_key, seq, notification_id, device_id, policy, "
            + "collapse_key, options, attempts, created_at";

    private final DataSource pool;
    private final SecureRandom random = new SecureRandom();

    public JdbcPushStore(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Registered register(PushDevice device, int maxPerUser) {
        return Transactions.run(pool, "register a push device", c -> {
            Optional<PushDevice> existing = first(c, "SELECT " + DEVICE_COLUMNS
                    + " FROM push_devices WHERE platform = ? AND address = ?", device.platform().wireName(), device.address());
            PushDevice stored;
            if (existing.isPresent()) {
                stored = new PushDevice(existing.get().id(), device.userStream(), device.platform(), device.address(),
                        device.p256dh(), device.auth(), device.apnsTopic(), device.apnsSandbox(), device.createdAt());
                try (PreparedStatement ps = c.prepareStatement("UPDATE push_devices SET stream_key = ?, p256dh = ?, "
                        + "auth = ?, apns_topic = ?, apns_sandbox = ?, created_at = ?, failures = 0, last_error = NULL "
                        + "WHERE device_id = ?")) {
                    ps.setString(1, stored.userStream());
                    ps.setString(2, stored.p256dh());
                    ps.setString(3, stored.auth());
                    ps.setString(4, stored.apnsTopic());
                    ps.setBoolean(5, stored.apnsSandbox());
                    ps.setObject(6, toDb(stored.createdAt()));
                    ps.setString(7, stored.id());
                    ps.executeUpdate();
                }
            } else {
                stored = new PushDevice(newId(), device.userStream(), device.platform(), device.address(),
                        device.p256dh(), device.auth(), device.apnsTopic(), device.apnsSandbox(), device.createdAt());
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_devices (" + DEVICE_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, stored.id());
                    ps.setString(2, stored.userStream());
                    ps.setString(3, stored.platform().wireName());
                    ps.setString(4, stored.address());
                    ps.setString(5, stored.p256dh());
                    ps.setString(6, stored.auth());
                    ps.setString(7, stored.apnsTopic());
                    ps.setBoolean(8, stored.apnsSandbox());
                    ps.setObject(9, toDb(stored.createdAt()));
                    ps.executeUpdate();
                }
            }
            List<PushDevice> owned = devices(c, device.userStream());
            for (PushDevice old : owned.subList(Math.min(maxPerUser, owned.size()), owned.size())) {
                if (!old.id().equals(stored.id())) {
                    delete(c, old.id());
                }
            }
            return new Registered(stored, existing.isEmpty());
        });
    }

    @Override
    public List<PushDevice> devices(String userStream) {
        return Transactions.run(pool, "list push devices", c -> devices(c, userStream));
    }

    private static List<PushDevice> devices(Connection c, String userStream) throws SQLException {
        return all(c, "SELECT " + DEVICE_COLUMNS + " FROM push_devices WHERE stream_key = ? ORDER BY created_at DESC, device_id",
                userStream);
    }

    @Override
    public Optional<PushDevice> device(String deviceId) {
        return Transactions.run(pool, "read a push device", c -> first(c, "SELECT " + DEVICE_COLUMNS
                + " FROM push_devices WHERE device_id = ?", deviceId));
    }

    @Override
    public boolean remove(String userStream, String deviceId) {
        return Transactions.run(pool, "remove a push device", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_devices WHERE device_id = ? AND stream_key = ?")) {
                ps.setString(1, deviceId);
                ps.setString(2, userStream);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<PushJob> claim(Instant now, Duration lease, int limit) {
        return Transactions.run(pool, "claim push jobs", c -> Leases.claim(c, "push_jobs", JOB_COLUMNS, "due_at", "job_id",
                now, lease, limit, JdbcPushStore::job, PushJob::id));
    }

    @Override
    public Optional<PushedNotification> notification(PushJob job, Instant now) {
        return Transactions.run(pool, "read a pushed notification", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT n.body, n.category, n.seen_at, n.read_at, n.expires_at, "
                    + "s.unseen, n.type FROM notifications n JOIN streams s ON s.stream_key = n.stream_key "
                    + "WHERE n.stream_key = ? AND n.seq = ?")) {
                ps.setString(1, job.userStream());
                ps.setLong(2, job.seq());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    OffsetDateTime expires = rs.getObject(5, OffsetDateTime.class);
                    if (expires != null && !expires.toInstant().isAfter(now)) {
                        return Optional.empty();
                    }
                    boolean seen = rs.getObject(3) != null || rs.getObject(4) != null;
                    return Optional.of(new PushedNotification(rs.getString(1), rs.getString(7), rs.getString(2), seen,
                            rs.getLong(6)));
                }
            }
        });
    }

    @Override
    public boolean supersededByNewer(PushJob job) {
        if (job.collapseKey() == null) {
            return false;
        }
        return Transactions.run(pool, "look for a newer push", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM push_jobs WHERE stream_key = ? "
                    + "AND collapse_key = ? AND device_id IS NULL AND seq > ?")) {
                ps.setString(1, job.userStream());
                ps.setString(2, job.collapseKey());
                ps.setLong(3, job.seq());
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void finish(PushJob job, List<PushAttempt> attempts, List<Retry> retries) {
        Transactions.run(pool, "finish a push job", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_jobs WHERE job_id = ?")) {
                ps.setLong(1, job.id());
                ps.executeUpdate();
            }
            insertAttempts(c, attempts);
            insertRetries(c, job, retries);
            for (PushAttempt a : attempts) {
                switch (a.outcome()) {
                    case "gone" -> delete(c, a.deviceId());
                    case "sent" -> update(c, "UPDATE push_devices SET last_sent_at = ?, failures = 0, last_error = NULL "
                            + "WHERE device_id = ?", toDb(a.at()), a.deviceId());
                    case "failed", "dropped" -> update(c, "UPDATE push_devices SET failures = failures + 1, last_error = ? "
                            + "WHERE device_id = ?", a.outcome() + ": " + a.reason(), a.deviceId());
                    default -> { }
                }
            }
            return null;
        });
    }

    private static void insertAttempts(Connection c, List<PushAttempt> attempts) throws SQLException {
        if (attempts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_attempts (device_id, attempted_at, "
                + "notification_id, outcome, status, reason, attempt) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (PushAttempt a : attempts) {
                ps.setString(1, a.deviceId());
                ps.setObject(2, toDb(a.at()));
                ps.setString(3, a.notificationId());
                ps.setString(4, a.outcome());
                ps.setInt(5, a.status());
                ps.setString(6, a.reason());
                ps.setInt(7, a.attempt());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertRetries(Connection c, PushJob job, List<Retry> retries) throws SQLException {
        if (retries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_jobs (stream_key, seq, notification_id, device_id, "
                + "policy, collapse_key, options, due_at, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Retry r : retries) {
                ps.setString(1, job.userStream());
                ps.setLong(2, job.seq());
                ps.setString(3, job.notificationId());
                ps.setString(4, r.deviceId());
                // A retry goes out whatever the policy said: the policy was satisfied when it was first sent.
                ps.setString(5, PushPolicy.ALWAYS.wireName());
                ps.setString(6, job.collapseKey());
                ps.setString(7, job.options());
                ps.setObject(8, toDb(r.dueAt()));
                ps.setInt(9, r.attempts());
                ps.setObject(10, toDb(job.createdAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void defer(PushJob job, Instant dueAt, PushPolicy policy) {
        Transactions.run(pool, "defer a push job", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE push_jobs SET due_at = ?, policy = ?, lease_until = NULL WHERE job_id = ?")) {
                ps.setObject(1, toDb(dueAt));
                ps.setString(2, policy.wireName());
                ps.setLong(3, job.id());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<PushAttempt> attempts(String deviceId, int limit) {
        return Transactions.run(pool, "read push attempts", c -> {
            List<PushAttempt> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT device_id, attempted_at, notification_id, outcome, status, "
                    + "reason, attempt FROM push_attempts WHERE device_id = ? ORDER BY attempted_at DESC")) {
                ps.setString(1, deviceId);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PushAttempt(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                                rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6), rs.getInt(7)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public int purgeAttempts(Instant cutoff, int limit) {
        return Transactions.run(pool, "purge push attempts", c -> {
            // Portable bounded delete: the oldest rows' times, then everything up to the last of them.
            Instant upTo = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT attempted_at FROM push_attempts WHERE attempted_at < ? ORDER BY attempted_at")) {
                ps.setObject(1, toDb(cutoff));
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        upTo = rs.getObject(1, OffsetDateTime.class).toInstant();
                    }
                }
            }
            if (upTo == null) {
                return 0;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_attempts WHERE attempted_at <= ?")) {
                ps.setObject(1, toDb(upTo));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public long pending() {
        return Transactions.run(pool, "count push jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM push_jobs"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private String newId() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return "d_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void delete(Connection c, String deviceId) throws SQLException {
        update(c, "DELETE FROM push_devices WHERE device_id = ?", deviceId);
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static Optional<PushDevice> first(Connection c, String sql, String... params) throws SQLException {
        List<PushDevice> found = all(c, sql, params);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static List<PushDevice> all(Connection c, String sql, String... params) throws SQLException {
        List<PushDevice> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PushDevice(rs.getString(1), rs.getString(2),
                            PushPlatform.of(rs.getString(3)).orElseThrow(() -> new SQLException("unknown platform")),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getBoolean(8),
                            rs.getObject(9, OffsetDateTime.class).toInstant()));
                }
            }
        }
        return out;
    }

    private static PushJob job(ResultSet rs) throws SQLException {
        return new PushJob(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                PushPolicy.of(rs.getString(6)).orElse(PushPolicy.ALWAYS), rs.getString(7), rs.getString(8), rs.getInt(9),
                rs.getObject(10, OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime toDb(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Override
    public List<PushTemplate> templates() {
        return Transactions.run(pool, "read push templates", c -> {
            List<PushTemplate> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT notification_type, title, body, icon, url FROM push_templates ORDER BY notification_type");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PushTemplate(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return out;
        });
    }

    @Override
    public void putTemplate(PushTemplate t) {
        Transactions.run(pool, "store a push template", c -> {
            java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
            values.put("title", t.title());
            values.put("body", t.body());
            values.put("icon", t.icon());
            values.put("url", t.url());
            values.put("updated_at", toDb(Instant.now()));
            Upserts.put(c, "push_templates", "notification_type", t.type(), values);
            return null;
        });
    }

    @Override
    public boolean deleteTemplate(String type) {
        return Transactions.run(pool, "delete a push template", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_templates WHERE notification_type = ?")) {
                ps.setString(1, type);
                return ps.executeUpdate() > 0;
            }
        });
    }
}
