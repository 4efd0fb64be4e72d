package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;

/**
 * Runs a node with a resolved config until it is shut down. The production runner starts a
 * {@link HeraldServer}; tests of the command line pass one that records the config instead.
 */
@FunctionalInterface
interface NodeRunner {
    /**
     * @throws dev.herald.server.config.HeraldStartupException when the node cannot start
     */
    void run(HeraldConfig config, PrintWriter out) throws InterruptedException;

    /**
     * Starts the server, prints the one line scripts and tests wait for, closes the server
     * gracefully on SIGTERM/SIGINT (shutdown hook, then exit code 0) and blocks until it has closed.
     */
    NodeRunner SERVER = (config, out) -> {
        applyLogLevel(config.logLevel());
        HeraldServer server = new HeraldServer(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            // The JVM would exit with 143 after SIGTERM; the node shut down as asked, so 0 (the
            // documented code). Flush the asynchronous log first: its last lines say the node stopped.
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logs) {
                logs.stop();
            }
            Runtime.getRuntime().halt(0);
        }, "herald-shutdown"));
        out.println(listeningLine(config.host(), server.port(), config.nodeId()));
        out.flush();
        server.awaitTermination();
    };

    /**
     * Sets the root logger's level ({@code --log-level}); logback.xml starts it at INFO, so only
     * what is logged before the options are resolved ignores the option.
     */
    static void applyLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logs) {
            logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    /**
     * {@code Herald listening on http://<host>:<port> (node <id>)}, with {@code 127.0.0.1} for the
     * wildcard and loopback binds, so the printed URL is one a local browser can open.
     */
    static String listeningLine(String host, int port, String nodeId) {
        return "Herald listening on http://" + displayHost(host) + ":" + port + " (node " + nodeId + ")";
    }

    private static String displayHost(String host) {
        return switch (host) {
            case "0.0.0.0", "127.0.0.1", "::", "::0", "0:0:0:0:0:0:0:0" -> "127.0.0.1";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    }
}
