/**
 * Herald's node: {@link dev.herald.server.HeraldServer} builds every part and wires them together
 * (store, broker, delivery, notifications, chat, transports), and closes them in order. Each
 * domain is built by a small {@code *Assembly} here (stores, delivery, chat, transports, network),
 * which returns what it built and knows how to close it.
 *
 * <p>The top of the graph: it may depend on every package of herald-server; none depends on it
 * except {@code cli}, which starts it. Packages may not form an import cycle, checked by
 * {@code ArchitectureTest} (per package, and per area: a top-level package with its
 * subpackages).
 */
package dev.herald.server;
