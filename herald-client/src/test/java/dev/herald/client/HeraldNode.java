package dev.herald.client;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Herald node: {@code java -jar herald-server/target/herald.jar start} as a child
 * process on 127.0.0.1, with a temporary data dir and known credentials, as an operator runs it.
 * {@link #restart()} starts a new process on the same port and data dir. Always {@link #close()}.
 *
 * <p>Without the JAR the calling test is skipped with a message, or fails when
 * {@code HERALD_REQUIRE_SERVICES=1} (as CI sets it).
 */
final class HeraldNode implements AutoCloseable {
    static final String SECRET = "java-client-test-secret-0123456789-abcdef";
    static final String API_KEY = "java-client-test-api-key-0123456789";
    private static final Pattern LISTENING = Pattern.compile("Herald listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Path jar;
    private final Path dataDir;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private int port;

    private HeraldNode(Path jar, Path dataDir) {
        this.jar = jar;
        this.dataDir = dataDir;
    }

    static HeraldNode start() {
        Path jar = Path.of(System.getProperty("herald.jar", "../herald-server/target/herald.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            String message = jar + " is missing: build it first (./mvnw -pl herald-server package -DskipTests)";
            if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        try {
            HeraldNode node = new HeraldNode(jar, Files.createTempDirectory("herald-java-client-"));
            node.spawn();
            return node;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a data dir", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    HeraldAdmin admin() {
        return HeraldAdmin.builder().url(url()).apiKey(API_KEY).build();
    }

    /** Graceful stop (SIGTERM: Herald closes sockets with 1001), then a new process on the same port and data. */
    void restart() {
        stop();
        spawn();
    }

    /** SIGTERM, then SIGKILL after 5 s; waits for the exit. */
    void stop() {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.toHandle().destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }

    String output() {
        return String.join("\n", output);
    }

    private void spawn() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "start", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString(), "--jwt-secret", SECRET, "--api-key", API_KEY));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new IllegalStateException("exited before listening"));
        }, "herald-node-output");
        reader.setDaemon(true);
        reader.start();
        try {
            port = listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            stop();
            throw new AssertionError("Herald did not start: " + e + "\n" + output(), e);
        }
    }
}
