package dev.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads the memory of the server under test: resident set size from /proc/PID/status, and heap
 * in use after a full GC. JVM servers (Herald, the bare server): {@code jcmd PID GC.run}, then
 * the sum of {@code jvm_memory_used_bytes{area="heap"...}} from their Prometheus /metrics. Node:
 * GET /stats, which runs {@code global.gc()} and answers {@code process.memoryUsage()}.
 * Used by the scenario thread only.
 */
final class ServerProbe {

    private final Target target;
    private final URI base;
    private final long pid;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    ServerProbe(Target target, URI base, long pid) {
        this.target = target;
        this.base = base;
        this.pid = pid;
    }

    boolean available() {
        return pid > 0 && Files.exists(Path.of("/proc/" + pid + "/status"));
    }

    /**
     * VmRSS once it has settled, in bytes: read every 200 ms until two reads agree within 1 MiB
     * (at most 5 s). Call it after {@link #heapAfterGcBytes}: a JVM hands the heap a GC freed
     * back to the OS from a background thread just after the collection, so a read at once
     * can catch 100 MiB on its way out (G1, 19,500 connections).
     */
    long settledRssBytes() throws IOException, InterruptedException {
        long previous = rssBytes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = rssBytes();
            if (Math.abs(now - previous) < 1024 * 1024) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /** VmRSS of the server process in bytes. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Heap in use after a full GC, in bytes. */
    long heapAfterGcBytes() throws IOException, InterruptedException {
        if (target == Target.SOCKETIO) {
            String json = get("/stats");
            return (long) Double.parseDouble(json.replaceAll(".*\"heapUsed\":([0-9.]+).*", "$1"));
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " GC.run failed");
        }
        return sumHeap(get("/metrics"));
    }

    /**
     * Herald's {@code herald_delivery_latency_seconds} histogram (commit to the write into a
     * socket, sampled by the server): cumulative count by upper bound in seconds, {@code +Inf}
     * included. Empty for the other servers, or when the server is gone.
     */
    NavigableMap<Double, Double> deliveryLatencyBuckets() throws IOException, InterruptedException {
        return heraldBuckets("herald_delivery_latency_seconds_bucket");
    }

    /**
     * Herald's {@code herald_chat_batch_latency_seconds} histogram (one chat writer batch: its
     * transaction, the commit, handing the messages on), as {@link #deliveryLatencyBuckets}.
     */
    NavigableMap<Double, Double> chatBatchLatencyBuckets() throws IOException, InterruptedException {
        return heraldBuckets("herald_chat_batch_latency_seconds_bucket");
    }

    private NavigableMap<Double, Double> heraldBuckets(String name) throws IOException, InterruptedException {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        if (target.herald() && available()) {
            parseBuckets(get("/metrics"), name, buckets);
        }
        return buckets;
    }

    static void parseBuckets(String metrics, String name, Map<Double, Double> into) {
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            int le = line.indexOf("le=\"");
            if (le < 0) {
                continue;
            }
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            into.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
    }

    /**
     * The {@code q} quantile, in ms, of what was recorded between two snapshots of a cumulative
     * histogram: the upper bound of the first bucket that holds it (so at most one bucket's width
     * high). NaN when nothing was recorded in between.
     */
    static double quantileMs(NavigableMap<Double, Double> before, NavigableMap<Double, Double> after,
                             double q) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= q * total) {
                return e.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Sum of the heap pools' {@code jvm_memory_used_bytes} in a Prometheus text exposition. */
    static long sumHeap(String metrics) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no jvm_memory_used_bytes{area=\"heap\"} in the metrics");
        }
        return (long) sum;
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + res.statusCode());
        }
        return res.body();
    }
}
