package dev.herald.server.fuzz;

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
    public Optional<StreamState> markRead(String stream, String notificationId) {
        return Optional.empty();
    }

    @Override
    public StreamState markAllRead(String stream) {
        return StreamState.EMPTY;
    }

    @Override
    public Optional<StreamState> delete(String stream, String notificationId) {
        return Optional.empty();
    }

    @Override
    public boolean isReachable() {
        return true;
    }

    @Override
    public void close() {
    }
}
