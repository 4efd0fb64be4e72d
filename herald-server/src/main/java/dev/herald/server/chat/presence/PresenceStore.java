package dev.herald.server.chat.presence;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Durable presence: the status a user set and when they were last seen. Online/offline itself
 * is live state, not stored. Thread-safe; {@link #saveStatus} and {@link #read} block (call
 * them from virtual threads), {@link #saveLastSeen} only queues.
 */
public interface PresenceStore {
    /** What is stored for a user; fields are null when never set. */
    record Stored(String status, Instant lastSeen) {
    }

    /**
     * Queues the time a user was last seen; the returned future completes once it is stored, or
     * fails if it was refused (the queue is full) or could not be stored. A node whose users all
     * go offline at once (a restart, a network cut) queues one write per user: they are stored
     * in batches, not one transaction each.
     */
    CompletableFuture<Void> saveLastSeen(String userId, Instant at);

    void saveStatus(String userId, String status);

    /** Stored presence of the given users; users with nothing stored are absent. */
    Map<String, Stored> read(Collection<String> userIds);
}
