/**
 * Streams, at the bottom of the graph: what one stream event is ({@link StreamEvent}), a
 * stream's seq and unread state ({@link StreamState}), and the one place that names streams
 * ({@link Streams}: {@code user:}, topics, {@code conv:}, {@code chatuser:}).
 *
 * <p>Every layer shares these: the store reads and writes stream state, brokers carry events
 * between nodes, the delivery core fans them out, notifications and chat make them, transports
 * write them. So this package depends on no other package of Herald (only on Netty's buffers,
 * for the cached wire encodings); every package may depend on it.
 */
package dev.herald.server.stream;
