package dev.herald.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a free port on
 * 127.0.0.1, trust auth, no Unix socket) that the test may stop and start again on the same
 * data and port, like an operator restarting the database, without touching the shared
 * PostgreSQL other tests and developers use. Needs PostgreSQL's server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}); when root, runs them as user {@code postgres}.
 * Skips without them, unless {@code HERALD_REQUIRE_SERVICES=1}, which fails instead.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;
    private Process server;

    private PrivatePostgres(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
    }

    /** initdb, then start the server; bounded by 60 s. */
    public static PrivatePostgres start() throws Exception {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("herald-pg-");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, port, root);
        try {
            pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"), Duration.ofSeconds(60));
            pg.startServer();
        } catch (Exception | AssertionError e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    public int port() {
        return port;
    }

    /** A Herald store URL for database {@code postgres} of this server. */
    public String storeUrl() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    /** Starts the server on the same data and port; returns once it accepts connections (30 s at most). */
    public void startServer() throws IOException {
        server = command(List.of(bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "max_connections=50")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(this::acceptsQueries);
    }

    /**
     * Fast shutdown ({@code pg_ctl stop -m fast}: SIGINT to the postmaster): open sessions are
     * ended, the server writes a checkpoint and exits. Returns once it has exited (30 s at most).
     */
    public void stopServer() throws Exception {
        run(List.of("kill", "-INT", String.valueOf(server.pid())), Duration.ofSeconds(10));
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("PostgreSQL did not stop within 30 s");
        }
    }

    private boolean acceptsQueries() {
        if (!server.isAlive()) {
            throw new AssertionError("PostgreSQL exited: " + log());
        }
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            try {
                server.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TempDirs.delete(dir);
    }

    private ProcessBuilder command(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            // exec, not fork: the process we hold is PostgreSQL itself, so its PID is the server's.
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        return pb;
    }

    private void run(List<String> command, Duration bound) throws Exception {
        Process p = command(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(command.getFirst() + " still running after " + bound);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
    }

    private static Path findBin() {
        Path versions = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(versions)) {
            try (Stream<Path> dirs = Files.list(versions)) {
                found = dirs.map(d -> d.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> version(b.getParent().getFileName().toString())))
                        .orElse(null);
            } catch (IOException e) {
                found = null;
            }
        }
        if (found == null) {
            String why = "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin";
            if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
                Assertions.fail(why + " and HERALD_REQUIRE_SERVICES=1");
            }
            Assumptions.abort(why + "; skipping the PostgreSQL restart test");
        }
        return found;
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
