/**
 * The command line: {@code start}, {@code token}.
 *
 * <p>May depend on the root package (it starts the node), {@code auth} and {@code config}.
 */
package dev.herald.server.cli;
