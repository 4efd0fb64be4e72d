package dev.herald.server;

import dev.herald.server.broker.Broker;
import dev.herald.server.broker.Brokers;
import dev.herald.server.config.DataDirectory;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.ExpiryPurge;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.ScheduledReleases;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Herald node: assembles store, broker, delivery core, chat, transports and HTTP API from a
 * {@link HeraldConfig}, and owns their lifecycle.
 *
 * <p>{@link #start()} binds the port and returns once the node accepts connections;
 * {@link #close()} tells connected clients to reconnect elsewhere (close code 1001), finishes
 * pending store writes and releases everything. Thread-safe.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

    /** How long {@link #close()} waits for requests already being handled (publishes wait at most 15 s on a commit). */
    private static final Duration IN_FLIGHT_DRAIN = Duration.ofSeconds(5);

    private final HeraldConfig config;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    // Set by start() (synchronized), in this order. close() first drains (listener, sessions,
    // requests in flight), then releases whichever were set in reverse order.
    private volatile ExecutorService blocking;
    private volatile Broker broker;
    private volatile StoreAssembly stores;
    private volatile DeliveryAssembly delivery;
    private volatile ChatAssembly chat;
    private volatile PushAssembly push;
    private volatile ExpiryPurge purge;
    private volatile ScheduledReleases releases;
    private volatile NetworkAssembly network;

    public HeraldServer(HeraldConfig config) {
        this.config = config;
    }

    /**
     * Starts the node.
     *
     * @throws HeraldStartupException with an operator-readable message when the port is in use,
     *                                the data dir is unusable or the store cannot be opened
     */
    public synchronized HeraldServer start() {
        if (network != null) {
            throw new IllegalStateException("already started");
        }
        try {
            DataDirectory.prepare(config.dataDir());
            HeraldMetrics metrics = new HeraldMetrics();
            blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("herald-blocking-", 0).factory());
            broker = openBroker(config);
            metrics.bindBroker(broker);
            stores = StoreAssembly.open(config, broker, metrics);
            NotificationService notifications = new NotificationService(stores.notifications(), broker, blocking);
            purge = new ExpiryPurge(notifications, config.notificationRetention(), metrics.registry(), ExpiryPurge.INTERVAL);
            releases = new ScheduledReleases(notifications, new com.fasterxml.jackson.databind.ObjectMapper(),
                    config.maxNotificationBytes(), metrics.registry());
            delivery = DeliveryAssembly.create(stores, broker, blocking, metrics);
            chat = ChatAssembly.start(config, stores, broker, notifications, delivery.sessions(), blocking);
            push = PushAssembly.start(config, stores, notifications, chat.presence(), metrics);
            // Events flow once every consumer of them exists.
            broker.start(delivery.hub());
            network = NetworkAssembly.create(config);
            network.bind(config, TransportAssembly.assemble(config, metrics, blocking, broker, stores, notifications,
                    delivery, chat, push, network.ioLoops()));
            log.info("node={} listening on {}:{} store={} broker={}", config.nodeId(), config.host(), network.port(),
                    config.storeUrl() == null ? "h2:" + config.dataDir().toAbsolutePath() : "external",
                    config.brokerUrl() == null ? "in-process" : config.brokerUrl());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Broker openBroker(HeraldConfig config) {
        try {
            return Brokers.create(config.brokerUrl(), config.nodeId());
        } catch (IllegalArgumentException e) {
            throw new HeraldStartupException("invalid --broker: " + e.getMessage(), e);
        }
    }

    /** The bound port (the real one when configured with port 0). */
    public int port() {
        NetworkAssembly n = network;
        return n == null ? 0 : n.port();
    }

    public HeraldConfig config() {
        return config;
    }

    /** The connections open on this node (null before {@link #start()}). */
    public SessionRegistry sessions() {
        DeliveryAssembly d = delivery;
        return d == null ? null : d.sessions();
    }

    /** The I/O loops that own the connections, for tests that need a loop busy at a chosen moment. */
    Iterable<EventExecutor> ioLoops() {
        return network.ioLoops();
    }

    /** Blocks until {@link #close()} completes (e.g. from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Graceful shutdown: stop accepting, tell clients to reconnect and resume (1001), let the
     * requests being handled finish and be answered (at most 5 s), close every connection still
     * open, let pending chat sends and publishes commit, then release the store, broker and
     * threads. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (network != null) {
                network.stopAccepting();
            }
            if (delivery != null) {
                delivery.closeSessions();
            }
            if (blocking != null) {
                drainInFlightRequests();
            }
            if (network != null) {
                network.close();
            }
            if (releases != null) {
                releases.close();
            }
            if (purge != null) {
                purge.close();
            }
            if (push != null) {
                push.close();
            }
            if (chat != null) {
                chat.close();
            }
            if (stores != null) {
                stores.close();
            }
            if (broker != null) {
                broker.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminated.countDown();
            log.info("node={} stopped", config.nodeId());
        }
    }

    /**
     * Requests already being handled (a publish waiting for its commit) finish and hand their
     * answers to the loops, which still run: a committed publish is answered, not dropped with
     * its connection. A request arriving from now on (on a kept-alive connection) cannot be
     * handed off: the router answers it 503.
     */
    private void drainInFlightRequests() throws InterruptedException {
        blocking.shutdown();
        if (!blocking.awaitTermination(IN_FLIGHT_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("requests still running {} after shutdown began; closing their connections", IN_FLIGHT_DRAIN);
        }
    }
}
