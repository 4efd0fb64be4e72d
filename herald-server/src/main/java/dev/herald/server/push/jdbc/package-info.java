/**
 * The push tables (V109) on the store's connection pool: {@link JdbcPushStore}.
 *
 * <p>May depend on {@code push}, {@code store} and {@code store.jdbc}.
 */
package dev.herald.server.push.jdbc;
