package dev.herald.server.notify;

import dev.herald.server.broker.Broker;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoredNotification;

import java.util.List;

/**
 * Hands every committed notification to the broker, encoded once. Runs on the store's
 * commit thread, which reports batches in commit order, so each stream's events leave this
 * node in seq order.
 */
public final class CommitForwarder implements Store.CommitListener {
    private final Broker broker;

    public CommitForwarder(Broker broker) {
        this.broker = broker;
    }

    @Override
    public void committed(List<StoredNotification> notifications) {
        for (StoredNotification n : notifications) {
            StreamEvent event = NotificationFrames.event(n);
            broker.publish(event);
        }
    }
}
