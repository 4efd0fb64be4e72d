package dev.herald.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A redis-server of the test's own on a free 127.0.0.1 port, without persistence
 * ({@code --save "" --appendonly no}), that the test kills with SIGKILL and starts again on the
 * same port, empty, like a crashed and restarted Redis; the shared Redis is never touched.
 * Skips when {@code redis-server} is not on the PATH, unless {@code HERALD_REQUIRE_SERVICES=1}.
 */
public final class PrivateRedis implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process server;

    private PrivateRedis(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static PrivateRedis start() throws IOException {
        Path dir = Files.createTempDirectory("herald-redis-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(dir, port);
        redis.startServer();
        return redis;
    }

    public int port() {
        return port;
    }

    /** Starts redis-server on the same port; returns once it accepts connections (15 s at most). */
    public void startServer() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile());
        try {
            server = pb.start();
        } catch (IOException e) {
            String why = "redis-server cannot be started (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
                Assertions.fail(why + " and HERALD_REQUIRE_SERVICES=1");
            }
            Assumptions.abort(why + "; skipping the Redis restart test");
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(this::accepts);
    }

    /** SIGKILL to redis-server, by its PID: every connection drops, all state is gone. */
    public void kill() throws InterruptedException {
        server.destroyForcibly();
        if (!server.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server pid " + server.pid() + " still running 15 s after SIGKILL");
        }
    }

    private boolean accepts() {
        if (!server.isAlive()) {
            throw new AssertionError("redis-server exited with " + server.exitValue());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null && server.isAlive()) {
            kill();
        }
        TempDirs.delete(dir);
    }
}
