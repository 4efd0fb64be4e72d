/**
 * Herald's node: {@link dev.herald.server.HeraldServer} builds every part and wires them together
 * (store, broker, delivery, notifications, chat, transports), and closes them in order.
 *
 * <p>The top of the graph: it may depend on every package of herald-server; none depends on it
 * except {@code cli}, which starts it. Packages may not form an import cycle, checked by
 * {@code ArchitectureTest} (per package, and per area: a top-level package with its
 * subpackages).
 */
package dev.herald.server;
