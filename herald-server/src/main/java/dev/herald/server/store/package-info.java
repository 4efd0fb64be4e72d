/**
 * The notification store's interface and its values: {@link Store}, publish requests and
 * results, stored notifications, pages and queries, and the store's failures.
 *
 * <p>May depend on {@code stream}. Implementations live below it, in {@code store.jdbc}.
 */
package dev.herald.server.store;
