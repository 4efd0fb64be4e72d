package dev.herald.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every connection event of a client as text, and the threads listeners ran on. */
final class EventLog implements ConnectionListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final List<Connected> connects = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onConnecting(Endpoint endpoint) {
        add("connecting " + endpoint);
    }

    @Override
    public void onConnected(Connected connected) {
        connects.add(connected);
        add("connected " + connected.endpoint());
    }

    @Override
    public void onResumed(Endpoint endpoint, long since) {
        add("resumed " + endpoint + " " + since);
    }

    @Override
    public void onDisconnected(Endpoint endpoint, DisconnectReason reason) {
        disconnects.add(reason);
        add("disconnected " + endpoint + " " + reason.closeCode() + " " + (reason.reconnecting() ? "reconnecting" : "final"));
    }

    @Override
    public void onReconnecting(Endpoint endpoint, int attempt, Duration delay, HeraldException cause) {
        add("reconnecting " + endpoint + " " + attempt);
    }

    @Override
    public void onTokenRefreshed(Endpoint endpoint, java.time.Instant expiresAt) {
        add("token_refreshed " + endpoint);
    }

    @Override
    public void onError(Endpoint endpoint, HeraldException error) {
        add("error " + endpoint + " " + error.code());
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    private void add(String event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }
}
