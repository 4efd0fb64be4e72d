package dev.herald.server;

import dev.herald.server.broker.Broker;
import dev.herald.server.chat.jdbc.JdbcChatStore;
import dev.herald.server.chat.jdbc.JdbcPresenceStore;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.CommitForwarder;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.jdbc.JdbcStore;

/**
 * The node's database: the notification store, and the chat and presence stores on the same
 * connection pool (their tables come from migration V100).
 *
 * @param notifications the notification store; owns the pool
 * @param chat          chat messages and conversations; its writers hold queued sends
 * @param presence      last seen and status
 */
record StoreAssembly(JdbcStore notifications, JdbcChatStore chat, JdbcPresenceStore presence) {

    /**
     * Opens and migrates the database; each commit of publishes is forwarded to {@code broker}.
     *
     * @throws HeraldStartupException when the store URL is invalid or the database cannot be opened
     */
    static StoreAssembly open(HeraldConfig config, Broker broker, HeraldMetrics metrics) {
        JdbcStore notifications;
        try {
            notifications = JdbcStore.open(config.storeUrl(), config.dataDir(), new CommitForwarder(broker), metrics.registry());
        } catch (StoreUnavailableException e) {
            throw new HeraldStartupException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new HeraldStartupException("invalid --store: " + e.getMessage(), e);
        }
        try {
            JdbcChatStore chat = new JdbcChatStore(notifications.dataSource(), JdbcChatStore.LANES, metrics.registry());
            return new StoreAssembly(notifications, chat, new JdbcPresenceStore(notifications.dataSource()));
        } catch (RuntimeException e) {
            notifications.close();
            throw e;
        }
    }

    /**
     * Commits the chat sends and last-seen times still queued while the pool is open, then the
     * publishes still queued, then closes the pool.
     */
    void close() {
        chat.close();
        presence.close();
        notifications.close();
    }
}
