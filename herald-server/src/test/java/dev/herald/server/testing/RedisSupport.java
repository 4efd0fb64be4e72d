package dev.herald.server.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The test Redis at 127.0.0.1:6379 for cluster tests: a broker URL with a key prefix of its own,
 * so tests never see each other's traffic. Skips when Redis is down, unless
 * {@code HERALD_REQUIRE_SERVICES=1} (CI), which fails instead.
 */
public final class RedisSupport {
    public static final int PORT = 6379;

    private RedisSupport() {
    }

    /** A fresh {@code redis://127.0.0.1:PORT?prefix=...} URL; {@code port} may be a proxy's. */
    public static String brokerUrl(int port) {
        requireOrSkip();
        return "redis://127.0.0.1:" + port + "?prefix=t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    public static void requireOrSkip() {
        boolean reachable;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 1_000);
            reachable = true;
        } catch (IOException e) {
            reachable = false;
        }
        String message = "Redis is not reachable at 127.0.0.1:" + PORT;
        if (!reachable && "1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
            throw new AssertionError(message + " and HERALD_REQUIRE_SERVICES=1");
        }
        Assumptions.assumeTrue(reachable, message + "; skipping cluster tests (set HERALD_REQUIRE_SERVICES=1 to fail instead)");
    }
}
