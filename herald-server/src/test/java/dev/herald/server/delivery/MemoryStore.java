package dev.herald.server.delivery;

import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory stream log for unit tests of the delivery core: lets a test control what the
 * store holds (including deleted seqs) independently of what the broker hands over. Only the
 * reads the core uses are implemented.
 */
final class MemoryStore implements Store {
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
    public PublishResult publish(PublishRequest request) {
        throw new UnsupportedOperationException("tests append directly");
    }

    @Override
    public java.util.List<PublishResult> publishAll(java.util.List<PublishRequest> requests) {
        throw new UnsupportedOperationException("tests append directly");
    }

    @Override
    public NotificationPage list(String stream, NotificationQuery query) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void ensureStreams(java.util.Collection<String> streams) {
    }




    @Override
    public InboxChange apply(String stream, InboxAction action, java.util.Collection<String> ids) {
        throw new UnsupportedOperationException("delivery tests have no inbox");
    }

    @Override
    public InboxChange applyToMatching(String stream, InboxAction action, InboxFilter filter, long afterSeq,
                                       long upToSeq, int limit) {
        throw new UnsupportedOperationException("delivery tests have no inbox");
    }

    @Override
    public List<InboxCounts> counts(String stream, List<InboxFilter> filters) {
        throw new UnsupportedOperationException("delivery tests have no inbox");
    }

    @Override
    public List<InboxChange> purgeDue(java.time.Instant now, java.time.Instant retentionCutoff, int limit) {
        throw new UnsupportedOperationException("delivery tests have no inbox");
    }

    @Override
    public dev.herald.server.store.Preferences preferences(String userStream) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public void setPreferences(String userStream, dev.herald.server.store.Preferences preferences) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public List<dev.herald.server.store.InboxCategory> categories() {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public void putCategory(dev.herald.server.store.InboxCategory category) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public boolean deleteCategory(String name) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public boolean schedule(dev.herald.server.store.ScheduledPublish publish) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public boolean cancelScheduled(String key) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public List<dev.herald.server.store.ScheduledPublish> claimDue(java.time.Instant now, java.time.Duration lease, int limit) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public void released(String key) {
        throw new UnsupportedOperationException("not used here");
    }

    @Override
    public boolean isReachable() {
        return true;
    }

    @Override
    public void close() {
    }
}
