package dev.herald.server.broker;

import io.lettuce.core.RedisConnectionStateAdapter;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One connection to Redis that is always either up or being re-established: the same loop
 * makes the first connection (Redis may be unreachable at start) and every reconnection.
 *
 * <p>Lettuce's own auto-reconnect is off for these connections: a lost connection is closed
 * and replaced by a fresh one, so there is exactly one reconnect path, its backoff and logs
 * are ours, and a fresh pub/sub connection starts with no subscriptions (the owner
 * resubscribes in {@code prepare}; nothing is subscribed twice).
 *
 * <h2>Lifecycle</h2>
 * {@code start} → connecting → (prepare succeeds) up → (connection lost) connecting → ... →
 * {@code close}. At most one connect attempt, or one timer for the next, is in flight at a time:
 * an attempt is only started by {@code start} or by the failure/loss that ended the previous one,
 * and a connection can be lost only once ({@link #lost} compares it with the current one).
 *
 * <h2>Logs</h2>
 * One WARN per outage: "lost connection to Redis at host:port", or "cannot connect to Redis at
 * host:port: Connection refused" when the first connection fails; then one INFO per failed
 * attempt (one line per backoff step); one INFO when the link is up again.
 *
 * <p>Thread-safe: state changes are short sections under this object's monitor; no I/O or
 * waiting happens while it is held.
 */
final class RedisLink<C extends StatefulConnection<String, byte[]>> {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

    /** What the owner does when a connection comes and goes. Called without the monitor held. */
    interface Hooks<C> {
        /** A fresh connection: make it usable (e.g. resubscribe). The link is up when this completes. */
        CompletionStage<?> prepare(C connection);

        /** The link is up (after {@code prepare}). Going down needs no hook: {@link #isUp()} turns false. */
        void up(C connection);
    }

    private final String role;
    private final String address;
    private final Supplier<CompletionStage<C>> connector;
    private final Delay backoff;
    private final ScheduledExecutorService scheduler;
    private final Hooks<C> hooks;

    // All guarded by `this`.
    private C current;             // being prepared or up; null while connecting
    private boolean closed;
    private boolean started;
    private long attempt;          // failed attempts in this outage
    private boolean announced;     // this outage has had its WARN line
    private long downSinceNanos;
    private ScheduledFuture<?> timer;

    /** The usable connection, for the hot path; null unless up. */
    private volatile C usable;

    RedisLink(String role, String address, Supplier<CompletionStage<C>> connector, Delay backoff,
              ScheduledExecutorService scheduler, Hooks<C> hooks) {
        this.role = role;
        this.address = address;
        this.connector = connector;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.hooks = hooks;
    }

    /** Starts connecting; returns at once. */
    void start() {
        synchronized (this) {
            if (started || closed) {
                return;
            }
            started = true;
            downSinceNanos = System.nanoTime();
        }
        connect();
    }

    boolean isUp() {
        return usable != null;
    }

    /** The connection if the link is up, else null. */
    C usable() {
        return usable;
    }

    private void connect() {
        CompletionStage<C> attemptResult;
        try {
            attemptResult = connector.get();
        } catch (RuntimeException e) {
            attemptResult = CompletableFuture.failedFuture(e);
        }
        attemptResult.whenComplete((conn, failure) -> {
            if (failure != null) {
                retryLater(failure);
            } else {
                connected(conn);
            }
        });
    }

    private void connected(C conn) {
        synchronized (this) {
            if (closed) {
                conn.closeAsync();
                return;
            }
            current = conn;
        }
        conn.addListener(new RedisConnectionStateAdapter() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                lost(conn, "connection closed");
            }
        });
        if (!conn.isOpen()) { // closed before the listener was in place
            lost(conn, "connection closed while connecting");
            return;
        }
        CompletionStage<?> prepared;
        try {
            prepared = hooks.prepare(conn);
        } catch (RuntimeException e) {
            prepared = CompletableFuture.failedFuture(e);
        }
        prepared.whenComplete((ok, failure) -> {
            if (failure != null) {
                lost(conn, "cannot prepare connection: " + describe(failure));
                return;
            }
            long attempts;
            long downMillis;
            synchronized (this) {
                if (closed || current != conn) {
                    return;
                }
                usable = conn;
                attempts = attempt;
                downMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos);
                attempt = 0;
                announced = false;
            }
            log.info("connected to Redis at {} ({}) after {} failed attempt(s), {} ms", address, role, attempts, downMillis);
            hooks.up(conn);
        });
    }

    private void retryLater(Throwable failure) {
        Duration delay;
        long n;
        boolean first;
        synchronized (this) {
            if (closed) {
                return;
            }
            n = ++attempt;
            first = !announced;
            announced = true;
            delay = backoff.createDelay(n);
            timer = scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (first) {
            log.warn("cannot connect to Redis at {} ({}): {}; retrying with backoff", address, role, describe(failure));
        } else {
            log.info("still cannot connect to Redis at {} ({}), attempt {}: {}; next attempt in {} ms",
                    address, role, n, describe(failure), delay.toMillis());
        }
    }

    /** The connection is gone (or unusable): close it and reconnect. No-op unless it is the current one. */
    void lost(C conn, String why) {
        boolean wasUp;
        boolean closing;
        boolean first;
        long n = 0;
        Duration delay = Duration.ZERO;
        synchronized (this) {
            if (current != conn) {
                return;
            }
            current = null;
            wasUp = usable == conn;
            usable = null;
            closing = closed;
            first = !announced;
            if (!closed) {
                announced = true;
                if (wasUp) {
                    downSinceNanos = System.nanoTime();
                    attempt = 0;
                }
                // A connection that never became usable counts as a failed attempt, so a Redis
                // that accepts connections but refuses to serve them is retried with backoff too.
                n = wasUp ? 1 : ++attempt;
                delay = backoff.createDelay(n);
                timer = scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        conn.closeAsync();
        if (closing) {
            return;
        }
        if (first) {
            log.warn("lost connection to Redis at {} ({}): {}; reconnecting with backoff", address, role, why);
        } else {
            log.info("still cannot use Redis at {} ({}), attempt {}: {}; next attempt in {} ms",
                    address, role, n, why, delay.toMillis());
        }
    }

    /** Stops reconnecting and closes the connection; the future completes when it is closed. */
    CompletableFuture<Void> close() {
        C conn;
        synchronized (this) {
            closed = true;
            usable = null;
            if (timer != null) {
                timer.cancel(false);
            }
            conn = current;
            current = null;
        }
        return conn == null ? CompletableFuture.completedFuture(null) : conn.closeAsync();
    }

    /** The root cause in a few words: "Connection refused", not three layers of wrappers. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof java.net.ConnectException && message != null && message.contains("Connection refused")) {
            return "Connection refused";
        }
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return root instanceof io.lettuce.core.RedisException ? message : root.getClass().getSimpleName() + ": " + message;
    }
}
