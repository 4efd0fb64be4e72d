package dev.herald.server.testing;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real Herald node on 127.0.0.1 with an ephemeral port and a fresh data dir, plus the
 * clients tests talk to it with. Close it to stop the node and delete the data dir; a node that
 * fails to start deletes its data dir before the failure is thrown. Tests that keep one node for
 * a class or a test register a {@link HeraldNodeExtension} instead of starting one by hand.
 */
public final class TestServer implements AutoCloseable {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
    public static final String API_KEY = "test-api-key-0123456789abcdef";

    private final Path dataDir;
    private final HeraldServer server;
    public final TestTokens tokens = new TestTokens(SECRET);
    public final Api api;

    private TestServer(Path dataDir, HeraldServer server) {
        this.dataDir = dataDir;
        this.server = server;
        this.api = new Api("http://127.0.0.1:" + server.port(), API_KEY);
    }

    public static TestServer start() {
        return start(b -> b);
    }

    public static TestServer start(UnaryOperator<HeraldConfig.Builder> customize) {
        Path dir;
        try {
            dir = Files.createTempDirectory("herald-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            HeraldConfig config = customize.apply(HeraldConfig.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .dataDir(dir)
                    .jwtSecret(SECRET)
                    .apiKey(API_KEY)
                    .pingInterval(Duration.ofSeconds(5))
                    .idleTimeout(Duration.ofSeconds(15))).build();
            // A node that fails to start has already closed itself (HeraldServer.start).
            return new TestServer(dir, new HeraldServer(config).start());
        } catch (RuntimeException | Error e) {
            TempDirs.delete(dir);
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public HeraldServer server() {
        return server;
    }

    /** The data dir this node was given; gone once the node is closed. */
    public Path dataDir() {
        return dataDir;
    }

    public String wsUrl(String pathAndQuery) {
        return "ws://127.0.0.1:" + port() + pathAndQuery;
    }

    public WsClient connect(String pathAndQuery) {
        return WsClient.connect(wsUrl(pathAndQuery), null);
    }

    public WsClient connectAs(String userId, String pathAndQuery) {
        String sep = pathAndQuery.contains("?") ? "&" : "?";
        return WsClient.connect(wsUrl(pathAndQuery + sep + "access_token=" + tokens.forUser(userId)), null);
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            TempDirs.delete(dataDir);
        }
    }
}
