/**
 * Static pages: the demo apps and the browser client.
 *
 * <p>May depend on {@code transport.http}.
 */
package dev.herald.server.transport.web;
