/**
 * Micrometer / Prometheus metrics of a node.
 *
 * <p>May depend on {@code delivery}, {@code broker} and {@code stream}, whose state it reports;
 * the core does not depend on it (transports report through it).
 */
package dev.herald.server.metrics;
