/**
 * What the nodes of a cluster share besides events: the node directory (holds of presence and
 * "in the chat" keys, dead-node sweeps), local or on Redis.
 *
 * <p>May depend on {@code broker} (its Redis URL rules).
 */
package dev.herald.server.cluster;
