package dev.herald.server;

import dev.herald.server.broker.Broker;
import dev.herald.server.chat.ChatLog;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.notify.NotificationLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * The delivery core of a node: the sessions open on it, and the hub that feeds them from the
 * broker and catches them up from the stores (notification and chat streams alike).
 *
 * @param sessions every open session, for shutdown, disconnects and presence
 * @param hub      subscriptions, fanout and resume; receives the broker's events once started
 */
record DeliveryAssembly(SessionRegistry sessions, DeliveryHub hub) {
    private static final Logger log = LoggerFactory.getLogger(DeliveryAssembly.class);

    /**
     * How long shutdown waits for the sessions told to reconnect to go: a client answers the
     * close handshake in milliseconds; one that does not is closed with every other connection
     * once the loops have drained.
     */
    static final Duration SESSIONS_GONE_WAIT = Duration.ofSeconds(3);
    /** How often that wait looks whether they are gone. */
    static final Duration SESSIONS_GONE_POLL = Duration.ofMillis(20);

    static DeliveryAssembly create(StoreAssembly stores, Broker broker, ExecutorService blocking, HeraldMetrics metrics) {
        DeliveryHub hub = new DeliveryHub(ChatLog.routing(new ChatLog(stores.chat()), new NotificationLog(stores.notifications())),
                broker, blocking, NotificationFrames::unreadCountAfter, metrics);
        return new DeliveryAssembly(new SessionRegistry(), hub);
    }

    /**
     * Tells every open session to reconnect and resume elsewhere (WebSocket 1001), each on its own
     * loop, and waits up to {@link #SESSIONS_GONE_WAIT} for them to go.
     */
    void closeSessions() throws InterruptedException {
        if (sessions.size() == 0) {
            return;
        }
        log.info("closing {} connections for shutdown", sessions.size());
        sessions.closeAll(CloseReason.SHUTDOWN);
        long deadline = System.nanoTime() + SESSIONS_GONE_WAIT.toNanos();
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(SESSIONS_GONE_POLL.toMillis());
        }
    }
}
