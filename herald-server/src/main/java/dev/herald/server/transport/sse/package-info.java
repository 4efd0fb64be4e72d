/**
 * Server-Sent Events: {@code /sse/notifications}.
 *
 * <p>May depend on {@code transport}, {@code transport.http} and the domain.
 */
package dev.herald.server.transport.sse;
