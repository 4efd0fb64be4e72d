package dev.herald.server.notify;

import dev.herald.server.broker.Broker;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.Store;
import dev.herald.server.store.StreamState;

import java.util.Optional;

/**
 * Notifications as the HTTP API and the sockets use them: publish, inbox, read state.
 *
 * <p>Every change to a user's read state is pushed to the user's live connections as an
 * {@code unread_count} frame, through the broker so it reaches every node. New notifications
 * reach sockets through the store's commit listener ({@link CommitForwarder}), so a publish
 * is delivered only once it is durable.
 *
 * <p>Thread-safe. Methods block on the store: call them from virtual threads.
 */
public final class NotificationService {
    private final Store store;
    private final Broker broker;

    public NotificationService(Store store, Broker broker) {
        this.store = store;
        this.broker = broker;
    }

    /** Stores the notification; returns after commit. */
    public PublishResult publish(PublishCommand command, String idempotencyKey, String requestHash) {
        return store.publish(new PublishRequest(command.streams(), command.allUsers(), command.type(),
                command.json(), idempotencyKey, requestHash));
    }

    public NotificationPage list(String userStream, NotificationQuery query) {
        return store.list(userStream, query);
    }

    public StreamState state(String stream) {
        return store.streamState(stream);
    }

    /** Records that a user exists, so broadcasts to everyone reach them. */
    public void knowUser(String userStream) {
        store.ensureStream(userStream);
    }

    /** Marks one of the user's notifications read; empty when the user has no such notification. */
    public Optional<StreamState> markRead(String userStream, String id) {
        Optional<StreamState> state = store.markRead(userStream, id);
        state.ifPresent(s -> pushUnread(userStream, s));
        return state;
    }

    public StreamState markAllRead(String userStream) {
        StreamState state = store.markAllRead(userStream);
        pushUnread(userStream, state);
        return state;
    }

    public Optional<StreamState> delete(String userStream, String id) {
        Optional<StreamState> state = store.delete(userStream, id);
        state.ifPresent(s -> pushUnread(userStream, s));
        return state;
    }

    private void pushUnread(String userStream, StreamState state) {
        broker.publish(NotificationFrames.unreadCount(userStream, state.unread()));
    }
}
