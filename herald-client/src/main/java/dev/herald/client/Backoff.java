package dev.herald.client;

import java.time.Duration;

/**
 * How long to wait before reconnect attempt {@code attempt} (0 for the first after a drop).
 * A successful connection resets the count. Called on the client's loop thread, one call at a
 * time; an implementation need not be thread-safe unless it is shared between clients.
 */
@FunctionalInterface
public interface Backoff {
    Duration delay(int attempt);
}
