package dev.herald.server.fuzz;

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

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A store that keeps nothing and answers every call with an empty result, so fuzz targets can
 * drive the HTTP routes' parsing at full speed without a database.
 */
final class InertStore implements Store {
    @Override
    public PublishResult publish(PublishRequest request) {
        return new PublishResult(List.of(), false);
    }

    @Override
    public List<PublishResult> publishAll(List<PublishRequest> requests) {
        return Collections.nCopies(requests.size(), new PublishResult(List.of(), false));
    }

    @Override
    public List<StoredNotification> readSince(String stream, long afterSeq, int limit) {
        return List.of();
    }

    @Override
    public NotificationPage list(String stream, NotificationQuery query) {
        return new NotificationPage(List.of(), null);
    }

    @Override
    public StreamState streamState(String stream) {
        return StreamState.EMPTY;
    }

    @Override
    public void ensureStreams(Collection<String> streams) {
    }




    @Override
    public InboxChange apply(String stream, InboxAction action, java.util.Collection<String> ids) {
        return new InboxChange(stream, action, List.of(), List.of(), StreamState.EMPTY, 0, false);
    }

    @Override
    public InboxChange applyToMatching(String stream, InboxAction action, InboxFilter filter, long afterSeq,
                                       long upToSeq, int limit) {
        return new InboxChange(stream, action, List.of(), List.of(), StreamState.EMPTY, upToSeq, false);
    }

    @Override
    public List<InboxCounts> counts(String stream, List<InboxFilter> filters) {
        return filters.stream().map(f -> new InboxCounts(0, 0, 0)).toList();
    }

    @Override
    public List<InboxChange> purgeDue(java.time.Instant now, java.time.Instant retentionCutoff, int limit) {
        return List.of();
    }

    @Override
    public dev.herald.server.store.Preferences preferences(String userStream) {
        return dev.herald.server.store.Preferences.DEFAULT;
    }

    @Override
    public void setPreferences(String userStream, dev.herald.server.store.Preferences preferences) {
        
    }

    @Override
    public List<dev.herald.server.store.InboxCategory> categories() {
        return List.of();
    }

    @Override
    public void putCategory(dev.herald.server.store.InboxCategory category) {
        
    }

    @Override
    public boolean deleteCategory(String name) {
        return false;
    }

    @Override
    public boolean schedule(dev.herald.server.store.ScheduledPublish publish) {
        return true;
    }

    @Override
    public boolean cancelScheduled(String key) {
        return false;
    }

    @Override
    public List<dev.herald.server.store.ScheduledPublish> claimDue(java.time.Instant now, java.time.Duration lease, int limit) {
        return List.of();
    }

    @Override
    public void released(String key) {
        
    }

    @Override
    public boolean isReachable() {
        return true;
    }

    @Override
    public void close() {
    }
}
