/**
 * Brokers carry stream events between nodes: {@link Broker}, {@link InProcessBroker} (one
 * node) and {@link RedisBroker} (a cluster), with the Redis wire format of an event.
 *
 * <p>May depend on {@code stream} only: the delivery core depends on the broker, never the
 * reverse.
 */
package dev.herald.server.broker;
