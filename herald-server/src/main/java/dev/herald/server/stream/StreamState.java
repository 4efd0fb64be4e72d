package dev.herald.server.stream;

/**
 * A stream's last allocated seq and its counters: unread and unseen notifications among the
 * active (not archived) ones. Streams without read state (topics, conversations) keep zeros or
 * whatever their owner counts there.
 */
public record StreamState(long lastSeq, long unread, long unseen) {
    public static final StreamState EMPTY = new StreamState(0, 0, 0);
}
