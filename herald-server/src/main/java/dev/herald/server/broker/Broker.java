package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;

import java.util.concurrent.CompletableFuture;

/**
 * Carries stream events between the nodes of a cluster (or within one node).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>A node receives events only for streams it subscribed to.</li>
 *   <li>Events published by one node on one stream arrive at each subscribed node in publish
 *       order. Events of different publishers may interleave in any order; subscribers restore
 *       seq order from the store (the broker is a fast path, the store is the truth).</li>
 *   <li>Delivery is at most once: an event may be lost while a link is down. The broker then
 *       calls {@link Listener#resynchronize()} once it is back, and subscribers catch up from
 *       the store. The broker never invents or duplicates an event on its own.</li>
 *   <li>{@link #subscribe} completes when events published from then on will be delivered;
 *       callers read the store only after that, so nothing falls between the two.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * All methods are thread-safe and never block. The listener is called on broker threads (the
 * publisher's own thread for the in-process broker) and must not block either.
 */
public interface Broker extends AutoCloseable {

    /** Receives events for subscribed streams. */
    interface Listener {
        void onEvent(StreamEvent event);

        /** Events may have been missed (e.g. a broker outage ended): catch up from the store. */
        default void resynchronize() {
        }
    }

    /** Starts delivering to the listener. Called once, before any subscribe. */
    void start(Listener listener);

    /** Subscribes this node to a stream; idempotent per stream is not required (callers count). */
    CompletableFuture<Void> subscribe(String stream);

    /** Unsubscribes this node from a stream. */
    void unsubscribe(String stream);

    /** Publishes an event to every node subscribed to its stream, this one included. */
    void publish(StreamEvent event);

    /** False while the link to the broker is down (the node is then not ready). */
    boolean isHealthy();

    @Override
    void close();
}
