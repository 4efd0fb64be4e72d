package dev.herald.server.broker;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shared test Redis at 127.0.0.1:6379, seen through an admin connection: client listing and
 * killing (only the connections of the test's own brokers, found by client name, so tests
 * running beside ours on the same Redis are untouched), PUBSUB NUMSUB and raw PUBLISH.
 * Skips the test when Redis is not running, unless {@code HERALD_REQUIRE_SERVICES=1}.
 */
final class RedisServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisServer() {
        client = RedisClient.create(RedisURI.create(HOST, PORT));
        connection = client.connect();
    }

    /** Connects, or skips the test (fails it under HERALD_REQUIRE_SERVICES=1) when Redis is not there. */
    static RedisServer connectOrSkip() {
        boolean reachable;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 1_000);
            reachable = true;
        } catch (IOException e) {
            reachable = false;
        }
        String message = "Redis is not reachable at " + HOST + ":" + PORT + "; start it to run the cluster broker tests";
        if (!reachable && "1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
            throw new AssertionError(message + " (HERALD_REQUIRE_SERVICES=1)");
        }
        Assumptions.assumeTrue(reachable, message);
        return new RedisServer();
    }

    RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** CLIENT LIST entries whose name contains {@code namePart}, as field maps. */
    List<Map<String, String>> clients(String namePart) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : commands().clientList().split("\n")) {
            Map<String, String> fields = new java.util.HashMap<>();
            for (String field : line.trim().split(" ")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    fields.put(field.substring(0, eq), field.substring(eq + 1));
                }
            }
            if (fields.getOrDefault("name", "").contains(namePart)) {
                out.add(fields);
            }
        }
        return out;
    }

    /** Kills the connections whose client name contains {@code namePart}; returns how many. */
    int kill(String namePart) {
        int killed = 0;
        for (Map<String, String> c : clients(namePart)) {
            killed += commands().clientKill(io.lettuce.core.KillArgs.Builder.id(Long.parseLong(c.get("id")))).intValue();
        }
        return killed;
    }

    long numsub(String channel) {
        return commands().pubsubNumsub(channel).getOrDefault(channel, 0L);
    }

    /** A port on 127.0.0.1 with nothing listening (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
