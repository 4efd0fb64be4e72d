package dev.herald.server.cluster;

import dev.herald.server.broker.Brokers;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link NodeDirectory} in Redis, for a cluster.
 *
 * <h2>Keys</h2>
 * <ul>
 *   <li>{@code herald:<prefix>:dir:<key>}: a sorted set of node ids, scored with the time their
 *       hold expires. A node refreshes the score of every key it holds every {@code refresh};
 *       a hold is valid while its score is in the future.</li>
 *   <li>{@code herald:<prefix>:nodes}: node heartbeats, scored the same way.</li>
 *   <li>{@code herald:<prefix>:nodekeys:<node>}: the keys a node holds, so the survivors can
 *       clean up after it and tell the owners of the keys it was the last holder of.</li>
 * </ul>
 * Every {@code refresh}, each node also looks for nodes whose heartbeat expired; one node (a
 * {@code SET NX} claim) removes the dead node's holds and reports the keys nobody else holds
 * to {@link #onOrphaned} handlers. So a crashed node's users go offline within about
 * {@code ttl + refresh}.
 *
 * <h2>Failures</h2>
 * Redis calls run on this directory's own thread and never on callers' threads, except
 * {@link #heldAnywhere}, which the caller runs off the event loop; when Redis is unreachable it
 * answers from this node's own holds and logs once per outage.
 */
public final class RedisNodeDirectory implements NodeDirectory {
    private static final Logger log = LoggerFactory.getLogger(RedisNodeDirectory.class);
    private static final Duration TTL = Duration.ofSeconds(15);
    private static final Duration REFRESH = Duration.ofSeconds(5);

    private final String prefix;
    private final String nodeId;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> orphanHandlers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService writes;
    private volatile boolean down;

    public RedisNodeDirectory(String brokerUrl, String nodeId) {
        Brokers.RedisTarget target = Brokers.redisTarget(brokerUrl);
        target.uri().setTimeout(Duration.ofSeconds(2));
        this.prefix = "herald:" + target.prefix() + ":";
        this.nodeId = nodeId;
        this.client = RedisClient.create(target.uri());
        StatefulRedisConnection<String, String> c = null;
        try {
            c = client.connect();
        } catch (RuntimeException e) {
            log.warn("cannot connect to Redis for presence at {}: {}; presence is this node's only until it can",
                    target.uri().getHost() + ":" + target.uri().getPort(), e.toString());
        }
        this.connection = c;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-directory").daemon().factory());
        this.writes = timer;
        timer.scheduleWithFixedDelay(this::refreshAndSweep, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    private RedisCommands<String, String> redis() {
        if (connection == null) {
            throw new IllegalStateException("no Redis connection");
        }
        return connection.sync();
    }

    @Override
    public void hold(String key) {
        if (held.add(key)) {
            writes.execute(() -> call(() -> {
                long until = System.currentTimeMillis() + TTL.toMillis();
                redis().zadd(prefix + "dir:" + key, until, nodeId);
                redis().sadd(prefix + "nodekeys:" + nodeId, key);
            }));
        }
    }

    @Override
    public void release(String key) {
        if (held.remove(key)) {
            writes.execute(() -> call(() -> {
                redis().zrem(prefix + "dir:" + key, nodeId);
                redis().srem(prefix + "nodekeys:" + nodeId, key);
            }));
        }
    }

    @Override
    public boolean heldAnywhere(String key) {
        if (held.contains(key)) {
            return true;
        }
        try {
            // This node's own entry may still be in Redis for a moment after a release: only
            // other nodes' live holds count; this node's truth is `held`.
            long now = System.currentTimeMillis();
            for (String node : redis().zrangebyscore(prefix + "dir:" + key, Range.create((double) now, Double.POSITIVE_INFINITY))) {
                if (!node.equals(nodeId)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            noteDown(e);
            return false;
        }
    }

    @Override
    public void onOrphaned(Consumer<String> handler) {
        orphanHandlers.add(handler);
    }

    /** Keeps this node's holds and heartbeat alive, and cleans up after dead nodes. */
    private void refreshAndSweep() {
        call(() -> {
            long now = System.currentTimeMillis();
            long until = now + TTL.toMillis();
            redis().zadd(prefix + "nodes", until, nodeId);
            for (String key : held) {
                redis().zadd(prefix + "dir:" + key, until, nodeId);
            }
            for (String dead : redis().zrangebyscore(prefix + "nodes", Range.create(Double.NEGATIVE_INFINITY, (double) now))) {
                if (dead.equals(nodeId)) {
                    continue;
                }
                String claim = redis().set(prefix + "sweep:" + dead, nodeId, SetArgs.Builder.nx().ex(60));
                if (!"OK".equals(claim)) {
                    continue;
                }
                sweep(dead, now);
            }
        });
    }

    private void sweep(String dead, long now) {
        Set<String> keys = redis().smembers(prefix + "nodekeys:" + dead);
        log.info("node {} stopped heartbeating; releasing its {} holds", dead, keys.size());
        for (String key : keys) {
            String dirKey = prefix + "dir:" + key;
            redis().zrem(dirKey, dead);
            if (redis().zcount(dirKey, Range.create((double) now, Double.POSITIVE_INFINITY)) == 0 && !held.contains(key)) {
                for (Consumer<String> handler : orphanHandlers) {
                    try {
                        handler.accept(key);
                    } catch (RuntimeException e) {
                        log.warn("orphan handler failed key={}: {}", key, e.toString());
                    }
                }
            }
        }
        redis().del(prefix + "nodekeys:" + dead);
        redis().zrem(prefix + "nodes", dead);
    }

    private void call(Runnable redisWork) {
        try {
            redisWork.run();
            if (down) {
                down = false;
                log.info("presence directory reconnected to Redis");
            }
        } catch (RuntimeException e) {
            noteDown(e);
        }
    }

    private void noteDown(RuntimeException e) {
        if (!down) {
            down = true;
            log.warn("presence directory cannot reach Redis: {}; answering from this node until it can", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
            // Holds are left to expire: the survivors' sweep then announces the users who did
            // not reconnect elsewhere, exactly as after a crash.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
