package dev.herald.client;

/** The two sockets a client may hold; each reconnects on its own. */
public enum Endpoint {
    /** {@code /ws/notifications}: the user's notification stream (or a topic), opened by {@link HeraldClient#connect()}. */
    NOTIFICATIONS("/ws/notifications"),
    /** {@code /ws/chat}: chat and presence, opened by {@link Chat#open()} or the first join or send. */
    CHAT("/ws/chat");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }
}
