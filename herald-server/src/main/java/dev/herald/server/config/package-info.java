/**
 * Configuration: resolving flags, environment and config file into {@link HeraldConfig} (with its
 * Socket.IO part, {@link SocketIoSettings} and {@link RelayRule}, which the transport applies), the
 * data directory, development credentials and other secrets kept in it ({@link PrivatePropertiesFile}),
 * and {@link HeraldStartupException}, the one way a node says it cannot start (bad config,
 * unusable data directory, port taken).
 *
 * <p>Depends on no other package of Herald; anything may depend on it.
 */
package dev.herald.server.config;
