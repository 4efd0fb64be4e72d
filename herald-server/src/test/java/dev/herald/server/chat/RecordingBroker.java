package dev.herald.server.chat;

import dev.herald.server.broker.Broker;
import dev.herald.server.stream.StreamEvent;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker for unit tests that keeps everything published, in order, and hands it to the
 * listener when one was started (like the in-process broker). Thread-safe.
 */
public final class RecordingBroker implements Broker {
    private final List<StreamEvent> published = new CopyOnWriteArrayList<>();
    private volatile Listener listener;

    @Override
    public void start(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> subscribe(String stream) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void unsubscribe(String stream) {
    }

    @Override
    public void publish(StreamEvent event) {
        published.add(event);
        Listener l = listener;
        if (l != null) {
            l.onEvent(event);
        }
    }

    public List<StreamEvent> events() {
        return List.copyOf(published);
    }

    /** Published events of one type, in order. */
    public List<StreamEvent> ofType(String type) {
        return published.stream().filter(e -> e.type().equals(type)).toList();
    }

    public static String text(StreamEvent e) {
        return new String(e.json(), StandardCharsets.UTF_8);
    }

    public void clear() {
        published.clear();
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
    }
}
