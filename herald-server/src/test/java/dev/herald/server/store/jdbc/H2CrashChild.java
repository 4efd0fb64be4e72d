package dev.herald.server.store.jdbc;

import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.StoredNotification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a separate JVM by {@link H2CrashTest}: opens the H2 store in {@code args[0]}, prints
 * {@code ready}, then publishes from 8 threads forever, printing {@code ack <stream> <seq>} after
 * each publish returns; with {@code compacting} as {@code args[1]}, it also compacts the file
 * back to back ({@link H2Housekeeping}), printing {@code compacted}. The parent kills it with no
 * warning.
 */
public final class H2CrashChild {

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        boolean compacting = args.length > 1 && args[1].equals("compacting");
        // Compacting, H2's retention time is 0, so chunks are rewritten and freed at once rather
        // than 45 s later (the node keeps H2's default); a killed JVM loses nothing the OS holds.
        String url = compacting ? "jdbc:h2:file:" + Path.of(args[0]).resolve("herald").toAbsolutePath()
                + ";RETENTION_TIME=0" : null;
        JdbcStore store = JdbcStore.open(url, Path.of(args[0]), n -> { }, new SimpleMeterRegistry());
        out.println("ready");
        for (int t = 0; t < 8; t++) {
            String stream = "user:crash-" + t;
            Thread.ofPlatform().start(() -> {
                while (true) {
                    StoredNotification sn = store.publish(new PublishRequest(List.of(stream), false, "crash",
                            "{\"type\":\"crash\"}", null, null)).notifications().getFirst();
                    synchronized (out) {
                        out.println("ack " + sn.stream() + " " + sn.seq());
                    }
                }
            });
        }
        if (compacting) {
            // The housekeeping round the node runs every 10 s, here back to back, so the kill
            // can land in the middle of one.
            while (true) {
                if (store.compactH2().compacted()) {
                    synchronized (out) {
                        out.println("compacted");
                    }
                }
                Thread.sleep(20);
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
