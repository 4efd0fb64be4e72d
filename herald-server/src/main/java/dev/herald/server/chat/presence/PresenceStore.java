package dev.herald.server.chat.presence;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Durable presence: the status a user set and when they were last seen. Online/offline itself
 * is live state, not stored. Blocking and thread-safe; call from virtual threads.
 */
public interface PresenceStore {
    /** What is stored for a user; fields are null when never set. */
    record Stored(String status, Instant lastSeen) {
    }

    void saveLastSeen(String userId, Instant at);

    void saveStatus(String userId, String status);

    /** Stored presence of the given users; users with nothing stored are absent. */
    Map<String, Stored> read(Collection<String> userIds);
}
