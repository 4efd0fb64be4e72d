package dev.herald.server.push;

import java.util.concurrent.CompletableFuture;

/**
 * Sends pushes to one platform's provider. Implementations are thread-safe, keep their
 * connections open between sends, and bound each send in time.
 */
public interface PushSender extends AutoCloseable {

    /** The platform this sender serves. */
    PushPlatform platform();

    /**
     * Sends one push to one device of this sender's platform. Never throws and never blocks the
     * caller: every failure, including a timeout or a refused connection, completes the future
     * with a {@link PushOutcome} ({@code RETRY} for transient ones).
     */
    CompletableFuture<PushOutcome> send(PushDevice device, PushMessage message);

    /** Closes the connections; sends in flight complete with a {@code RETRY} outcome. */
    @Override
    void close();
}
