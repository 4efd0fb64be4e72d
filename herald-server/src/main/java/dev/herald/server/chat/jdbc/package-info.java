/**
 * The chat store and the presence store on JDBC (H2 or PostgreSQL), sharing migration V100 and
 * one transaction helper.
 *
 * <p>May depend on {@code chat}, {@code chat.presence}, {@code store} and {@code store.jdbc}
 * (the SQL failure rules).
 */
package dev.herald.server.chat.jdbc;
