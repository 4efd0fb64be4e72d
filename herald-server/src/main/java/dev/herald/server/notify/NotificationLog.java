package dev.herald.server.notify;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.delivery.StreamLog;
import dev.herald.server.store.Store;
import dev.herald.server.stream.StreamState;

import java.util.List;

/** Notification streams as the delivery core replays them: stored rows encoded as frames. */
public final class NotificationLog implements StreamLog {
    private final Store store;

    public NotificationLog(Store store) {
        this.store = store;
    }

    @Override
    public StreamState state(String stream) {
        return store.streamState(stream);
    }

    @Override
    public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
        return store.readSince(stream, afterSeq, limit).stream().map(NotificationFrames::event).toList();
    }
}
