/**
 * The JDBC store on H2 or PostgreSQL: Flyway migrations, group commit, seq allocation, unread
 * counters, reads.
 *
 * <p>May depend on {@code store}, {@code stream} and {@code config}.
 */
package dev.herald.server.store.jdbc;
