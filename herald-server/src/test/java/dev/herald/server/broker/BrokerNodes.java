package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.Delay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.awaitility.Awaitility.await;

/**
 * Redis brokers playing the nodes of one test cluster: a key prefix of their own (so tests
 * sharing the Redis never see each other's channels), closed together.
 */
final class BrokerNodes implements AutoCloseable {
    private static final Random SEEDS = new Random(20261123);

    final RedisServer redis;
    final String prefix;
    private final List<RedisBroker> brokers = new ArrayList<>();

    BrokerNodes(RedisServer redis, String testName) {
        this.redis = redis;
        this.prefix = "t" + Long.toHexString(System.nanoTime()) + "-" + testName.replaceAll("[^A-Za-z0-9]", "").substring(0, Math.min(20, testName.length()));
    }

    /** Reconnects fast enough for tests: 20 ms doubling to 500 ms, seeded jitter. */
    static Delay fastBackoff() {
        Random random;
        synchronized (SEEDS) {
            random = new Random(SEEDS.nextLong());
        }
        return new FullJitterBackoff(Duration.ofMillis(20), Duration.ofMillis(500), random::nextLong);
    }

    RedisBroker node(String nodeId, int port, Delay backoff) {
        RedisBroker broker = new RedisBroker(RedisURI.create(RedisServer.HOST, port), prefix, nodeId, backoff);
        brokers.add(broker);
        return broker;
    }

    /** A started node on the shared Redis, once both its links are up. */
    RedisBroker started(String nodeId, Broker.Listener listener) {
        return started(nodeId, listener, fastBackoff());
    }

    RedisBroker started(String nodeId, Broker.Listener listener, Delay backoff) {
        RedisBroker broker = node(nodeId, RedisServer.PORT, backoff);
        broker.start(listener);
        await().atMost(Duration.ofSeconds(10)).until(broker::isHealthy);
        return broker;
    }

    String channel(String stream) {
        return "herald:" + prefix + ":stream:" + stream;
    }

    /** The client-name fragment of a node's connection, for {@link RedisServer#kill}. */
    String connectionName(String nodeId, String role) {
        return "herald:" + prefix + ":" + nodeId + ":" + role;
    }

    static StreamEvent event(String stream, long seq, String body) {
        return new StreamEvent(stream, seq, "notification", 1_700_000_000_000L + seq, seq,
                ("{\"body\":\"" + body + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static String payload(String body) {
        return "{\"body\":\"" + body + "\"}";
    }

    @Override
    public void close() {
        brokers.forEach(RedisBroker::close);
        redis.close();
    }
}
