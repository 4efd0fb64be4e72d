package dev.herald.server.testing;

import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.ScheduledPublish;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoredNotification;
import dev.herald.server.stream.StreamState;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * A {@link Store} whose every operation fails as not used, for unit tests that stand in for the
 * store in one or two operations: they extend it and override those. Reachable; closing does
 * nothing.
 */
public class UnsupportedStore implements Store {

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("not used by this test");
    }

    @Override
    public PublishResult publish(PublishRequest request) {
        throw unused();
    }

    @Override
    public List<PublishResult> publishAll(List<PublishRequest> requests) {
        throw unused();
    }

    @Override
    public List<StoredNotification> readSince(String stream, long afterSeq, int limit) {
        throw unused();
    }

    @Override
    public NotificationPage list(String stream, NotificationQuery query) {
        throw unused();
    }

    @Override
    public StreamState streamState(String stream) {
        throw unused();
    }

    @Override
    public void ensureStreams(Collection<String> streams) {
        throw unused();
    }

    @Override
    public InboxChange apply(String stream, InboxAction action, Collection<String> ids) {
        throw unused();
    }

    @Override
    public InboxChange applyToMatching(String stream, InboxAction action, InboxFilter filter, long afterSeq,
                                       long upToSeq, int limit) {
        throw unused();
    }

    @Override
    public List<InboxChange> purgeDue(Instant now, Instant retentionCutoff, int limit) {
        throw unused();
    }

    @Override
    public List<InboxCounts> counts(String stream, List<InboxFilter> filters) {
        throw unused();
    }

    @Override
    public boolean schedule(ScheduledPublish publish) {
        throw unused();
    }

    @Override
    public boolean cancelScheduled(String key) {
        throw unused();
    }

    @Override
    public List<ScheduledPublish> claimDue(Instant now, Duration lease, int limit) {
        throw unused();
    }

    @Override
    public void released(String key) {
        throw unused();
    }

    @Override
    public Preferences preferences(String userStream) {
        throw unused();
    }

    @Override
    public void setPreferences(String userStream, Preferences preferences) {
        throw unused();
    }

    @Override
    public List<InboxCategory> categories() {
        throw unused();
    }

    @Override
    public void putCategory(InboxCategory category) {
        throw unused();
    }

    @Override
    public boolean deleteCategory(String name) {
        throw unused();
    }

    @Override
    public boolean isReachable() {
        return true;
    }

    @Override
    public void close() {
    }
}
