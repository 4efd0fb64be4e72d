/**
 * Who a request is: JWT verification, API keys, development token issuing, {@link Principal}.
 *
 * <p>May depend on {@code config} and {@code stream} (a principal's own stream name).
 */
package dev.herald.server.auth;
