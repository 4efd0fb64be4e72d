package dev.herald.server.delivery;

import dev.herald.server.store.StoredNotification;
import dev.herald.server.testing.UnsupportedStore;
import dev.herald.server.stream.StreamState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory stream log for unit tests of the delivery core: lets a test control what the
 * store holds (including deleted seqs) independently of what the broker hands over. Only the
 * reads the core uses are implemented; the rest fail as unused.
 */
final class MemoryStore extends UnsupportedStore {
    private final Map<String, List<StoredNotification>> streams = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();

    /** Appends the next seq of a stream and returns it as stored. */
    synchronized StoredNotification append(String stream, String type) {
        long seq = lastSeq.merge(stream, 1L, Long::sum);
        String json = "{\"type\":\"" + type + "\",\"n\":" + seq + "}";
        StoredNotification n = new StoredNotification(UUID.randomUUID().toString(), stream, seq, type, json,
                Instant.now(), null, null, null, -1, -1);
        streams.computeIfAbsent(stream, s -> new ArrayList<>()).add(n);
        return n;
    }

    /** Removes a stored seq, as a user's delete would. */
    synchronized void remove(String stream, long seq) {
        streams.get(stream).removeIf(n -> n.seq() == seq);
    }

    @Override
    public synchronized List<StoredNotification> readSince(String stream, long afterSeq, int limit) {
        return streams.getOrDefault(stream, List.of()).stream()
                .filter(n -> n.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    public synchronized StreamState streamState(String stream) {
        return new StreamState(lastSeq.getOrDefault(stream, 0L), 0, 0);
    }

    @Override
    public void ensureStreams(java.util.Collection<String> streams) {
    }
}
