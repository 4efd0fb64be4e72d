package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker listener that keeps what it was given, for assertions from the test thread. */
final class RecordingListener implements Broker.Listener {
    private final List<StreamEvent> events = new ArrayList<>(); // guarded by itself
    final AtomicInteger resynchronizations = new AtomicInteger();

    @Override
    public void onEvent(StreamEvent event) {
        synchronized (events) {
            events.add(event);
        }
    }

    @Override
    public void resynchronize() {
        resynchronizations.incrementAndGet();
    }

    List<StreamEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    List<String> payloads(String stream) {
        return events().stream().filter(e -> e.stream().equals(stream))
                .map(e -> new String(e.json(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    long count(String stream) {
        return events().stream().filter(e -> e.stream().equals(stream)).count();
    }
}
