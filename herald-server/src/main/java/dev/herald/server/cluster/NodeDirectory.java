package dev.herald.server.cluster;

import java.util.function.Consumer;

/**
 * Which nodes of the cluster hold a key: "user 42 has a connection here" (presence), "user 42
 * has joined conversation 7 here" (story 3's "in the chat"). Each node states its own keys;
 * anyone can ask whether any live node holds one. Entries of a node that dies expire with it,
 * so nothing stays "online" forever.
 *
 * <p>Thread-safe. {@link #hold} and {@link #release} never block; {@link #heldAnywhere} may
 * (call it off the event loops).
 */
public interface NodeDirectory extends AutoCloseable {
    /** This node holds the key (until {@link #release}). Idempotent. */
    void hold(String key);

    /** This node no longer holds the key. Idempotent. */
    void release(String key);

    /** Whether any live node, this one included, holds the key. Blocking. */
    boolean heldAnywhere(String key);

    /**
     * Called (on a background thread) for each key whose last holder was a node that died, once
     * per key cluster-wide, so the owner of the meaning (presence) can announce it.
     */
    void onOrphaned(Consumer<String> handler);

    @Override
    void close();

    /** A single node: the local view is the whole truth; nothing to share. */
    static NodeDirectory local() {
        return new NodeDirectory() {
            private final java.util.Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

            @Override
            public void hold(String key) {
                held.add(key);
            }

            @Override
            public void release(String key) {
                held.remove(key);
            }

            @Override
            public boolean heldAnywhere(String key) {
                return held.contains(key);
            }

            @Override
            public void onOrphaned(Consumer<String> handler) {
                // a single node never sees another node die
            }

            @Override
            public void close() {
            }
        };
    }
}
