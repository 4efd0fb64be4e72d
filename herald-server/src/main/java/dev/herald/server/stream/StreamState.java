package dev.herald.server.stream;

/** A stream's last allocated seq and its count of unread notifications. */
public record StreamState(long lastSeq, long unread) {
    public static final StreamState EMPTY = new StreamState(0, 0);
}
