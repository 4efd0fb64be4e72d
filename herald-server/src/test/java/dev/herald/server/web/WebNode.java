package dev.herald.server.web;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.TempDirs;
import dev.herald.server.testing.TestServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A development-mode Herald node for the browser tests that can be stopped and started again
 * on the same port and data dir (so a page's client reconnects to "the same server" and its
 * stored notifications are still there). Close it to stop the node and delete the data.
 */
final class WebNode implements AutoCloseable {
    private final Path dataDir;
    private HeraldConfig config;
    private HeraldServer server;
    /** The app backend's HTTP client; a new one after {@link #restart()}. */
    Api api;

    private WebNode(Path dataDir, HeraldConfig config) {
        this.dataDir = dataDir;
        this.config = config;
        this.server = new HeraldServer(config).start();
        this.config = config.toBuilder().port(server.port()).build();
        this.api = new Api(baseUrl(), TestServer.API_KEY);
    }

    static WebNode start() {
        return start(b -> { });
    }

    /** With options of the test's own on top of the development defaults (e.g. push). */
    static WebNode start(Consumer<HeraldConfig.Builder> options) {
        try {
            Path dir = Files.createTempDirectory("herald-web-");
            HeraldConfig.Builder builder = HeraldConfig.builder()
                    .host("127.0.0.1").port(0).dataDir(dir)
                    .jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).devMode(true)
                    .pingInterval(Duration.ofSeconds(5)).idleTimeout(Duration.ofSeconds(15));
            options.accept(builder);
            return new WebNode(dir, builder.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + config.port();
    }

    int port() {
        return config.port();
    }

    /** Graceful stop: connected clients are told 1001 (reconnect and resume). */
    void stop() {
        server.close();
    }

    /**
     * Starts again on the same port and data dir. The test's backend client starts afresh too:
     * the JDK client could otherwise send the next publish on a kept-alive connection of the
     * stopped node before it noticed that node closed it, and then wait for its timeout (seen
     * twice on a loaded machine); a real backend reconnects the same way.
     */
    void restart() {
        server = new HeraldServer(config).start();
        api = new Api(baseUrl(), TestServer.API_KEY);
    }

    @Override
    public void close() {
        server.close();
        TempDirs.delete(dataDir);
    }
}
