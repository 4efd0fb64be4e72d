package dev.herald.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Herald's command line run as a separate JVM, as an operator runs it, for tests that kill it
 * with SIGKILL or check its exit codes and messages. Always {@link #close()} it.
 */
public final class HeraldProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Herald listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private HeraldProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            port.completeExceptionally(new IllegalStateException("exited before listening: " + String.join("\n", output)));
        });
    }

    /** Runs {@code herald <args>} from this test's classpath. */
    public static HeraldProcess run(String... args) {
        return runWithJvmOptions(List.of(), args);
    }

    /** As {@link #run}, with extra JVM options (after the default {@code -Xmx256m}, so they win). */
    public static HeraldProcess runWithJvmOptions(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.herald.server.cli.Main");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        try {
            return new HeraldProcess(pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start herald: " + e, e);
        }
    }

    /** The port from the "Herald listening on" line. */
    public int awaitListening() {
        try {
            return port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("herald did not start: " + e.getMessage() + "\n" + String.join("\n", output), e);
        }
    }

    public int awaitExit() {
        return awaitExit(java.time.Duration.ofSeconds(60));
    }

    /** The exit code; fails when the process is still running after {@code bound}. */
    public int awaitExit(java.time.Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("herald did not exit within " + bound + "; output:\n" + String.join("\n", output));
            }
            Thread.sleep(50); // let the reader take the last lines
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    public String output() {
        return String.join("\n", output);
    }

    /** SIGTERM, as an operator's {@code kill PID} or a container stop: the graceful shutdown. */
    public void terminate() {
        // Through the handle: Process.destroy() would also close our end of its output.
        process.toHandle().destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, like a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
