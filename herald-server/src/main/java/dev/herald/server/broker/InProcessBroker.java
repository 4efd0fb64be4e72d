package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The single-node broker: a publish is handed straight to this node's listener on the
 * publisher's thread, so events keep the publisher's order. Nothing crosses a process boundary,
 * nothing can be lost in transit, and it is always healthy.
 */
public final class InProcessBroker implements Broker {
    private volatile Listener listener;

    @Override
    public void start(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletableFuture<Void> subscribe(String stream) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void unsubscribe(String stream) {
        // Nothing to release: the listener filters by its own subscriptions.
    }

    @Override
    public void publish(StreamEvent event) {
        Listener l = listener;
        if (l == null) {
            throw new IllegalStateException("broker not started");
        }
        l.onEvent(event);
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        listener = null;
    }
}
