package dev.herald.server;

import dev.herald.server.config.HeraldConfig;

/**
 * One Herald node: assembles store, broker, delivery core, transports and HTTP API from a
 * {@link HeraldConfig}, and owns their lifecycle.
 *
 * <p>{@link #start()} binds the port and returns once the node accepts connections;
 * {@link #close()} tells connected clients to reconnect elsewhere, finishes pending store
 * writes and releases everything. Thread-safe.
 */
public final class HeraldServer implements AutoCloseable {
    private final HeraldConfig config;

    public HeraldServer(HeraldConfig config) {
        this.config = config;
    }

    /**
     * Starts the node.
     *
     * @throws HeraldStartupException with an operator-readable message when the port is in use,
     *                                the data dir is unusable or the store cannot be opened
     */
    public HeraldServer start() {
        throw new UnsupportedOperationException("not yet assembled");
    }

    /** The bound port (the real one when configured with port 0). */
    public int port() {
        return config.port();
    }

    /** Blocks until {@link #close()} completes (e.g. from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
    }

    @Override
    public void close() {
    }
}
