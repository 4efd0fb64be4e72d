package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak run of docs/reliability.md against one running Herald node (started by
 * herald-bench/soak.sh): thousands of WebSocket connections that churn (close, reconnect with
 * {@code since}), a publisher, slow readers that stop reading, and abusive clients (garbage and
 * oversized frames, slowloris requests, bad percent-escapes, unauthenticated Engine.IO
 * handshakes). Every 10 s it samples the node's heap after a full GC (jcmd) and its open file
 * descriptors (/proc/PID/fd). At the end every connection resumes and reads, and each user's
 * acknowledged seqs must all have been seen by some connection of that user.
 *
 * <p>Exit code 0 when nothing acknowledged was lost, no connection saw a gap or a repeat, and the
 * heap and fd samples stayed within the tolerance printed in the summary; 1 otherwise.
 */
public final class Soak {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final byte[] CONNECTED = "{\"type\":\"connected\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOAK = "{\"type\":\"soak\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ = FrameScanner.key("seq");

    // Settings (flags).
    private final String host;
    private final int port;
    private final long pid;
    private final String apiKey;
    private final Jwt jwt;
    private final Duration duration;
    private final int users;
    private final int perUser;
    private final int slowReaders;
    private final int publishRate;
    private final int churnPerSecond;

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    private final Bootstrap bootstrap;
    private final List<InetSocketAddress> sources = new ArrayList<>();
    private final List<Conn> conns = new ArrayList<>();
    private final List<Conn> slow = new ArrayList<>();
    private final Map<String, UserSeqs> byUser = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final AtomicBoolean abusing = new AtomicBoolean(true);

    // Counters.
    private final LongAdder connects = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder churned = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder gapsInConnection = new LongAdder();
    private final LongAdder repeatsInConnection = new LongAdder();
    private final Map<Integer, LongAdder> serverCloses = new ConcurrentHashMap<>();
    private final LongAdder acked = new LongAdder();
    private final Map<String, LongAdder> publishRefusals = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> abuse = new ConcurrentHashMap<>();
    private final AtomicInteger slowlorisOpen = new AtomicInteger();
    private final AtomicLong slowlorisLongestMillis = new AtomicLong();

    private record Sample(long seconds, long heapAfterGcKb, long fds, long rssKb, int open) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private String nodeMetrics = "";

    /** The node's /metrics lines starting with any of {@code prefixes}, joined. */
    private String metrics(String... prefixes) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> lines = new ArrayList<>();
            for (String line : r.body().split("\n")) {
                for (String p : prefixes) {
                    if (line.startsWith(p)) {
                        lines.add(line);
                    }
                }
            }
            return String.join("; ", lines);
        } catch (IOException | InterruptedException e) {
            return "(no /metrics: " + e + ")";
        }
    }

    /** One user's seqs: acknowledged to the publisher, and seen by any of the user's connections. */
    private static final class UserSeqs {
        final BitSet acked = new BitSet();
        final BitSet seen = new BitSet();

        synchronized int missing() {
            BitSet m = (BitSet) acked.clone();
            m.andNot(seen);
            return m.cardinality();
        }
    }

    private Soak(Map<String, String> o) {
        URI url = URI.create(o.getOrDefault("url", "http://127.0.0.1:8080"));
        host = url.getHost();
        port = url.getPort();
        pid = Long.parseLong(require(o, "pid"));
        apiKey = require(o, "api-key");
        jwt = new Jwt(require(o, "jwt-secret"));
        duration = Duration.ofSeconds(Math.round(Double.parseDouble(o.getOrDefault("minutes", "3")) * 60));
        int connections = Integer.parseInt(o.getOrDefault("connections", "3000"));
        perUser = 3;
        users = Math.max(1, connections / perUser);
        slowReaders = Integer.parseInt(o.getOrDefault("slow-readers", "20"));
        publishRate = Integer.parseInt(o.getOrDefault("publish-rate", "300"));
        churnPerSecond = Integer.parseInt(o.getOrDefault("churn-per-second", "60"));
        int sourceCount = Integer.parseInt(o.getOrDefault("source-addresses", "8"));
        for (int i = 0; i < sourceCount; i++) {
            sources.add(new InetSocketAddress("127.0.0." + (2 + i), 0));
        }
        bootstrap = new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    private static String require(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            System.err.println("soak: --" + key + " is required");
            System.exit(2);
        }
        return v;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Soak soak = new Soak(o);
        int code;
        try {
            code = soak.run();
        } finally {
            soak.loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        System.exit(code);
    }

    // ---------------------------------------------------------------- the run

    private int run() throws Exception {
        long start = System.nanoTime();
        log("soak: %d users x %d connections + %d slow readers to %s:%d for %s; publishing %d/s, churning %d connections/s",
                users, perUser, slowReaders, host, port, duration, publishRate, churnPerSecond);
        for (int u = 0; u < users; u++) {
            byUser.put("s" + u, new UserSeqs());
            for (int c = 0; c < perUser; c++) {
                conns.add(new Conn("s" + u, false));
            }
        }
        for (int s = 0; s < slowReaders; s++) {
            byUser.put("slow" + s, new UserSeqs());
            Conn c = new Conn("slow" + s, true);
            conns.add(c);
            slow.add(c);
        }
        for (int i = 0; i < conns.size(); i++) {
            conns.get(i).open();
            if (i % 200 == 199) {
                Thread.sleep(100); // a ramp, not one burst of handshakes
            }
        }
        awaitUntil(Duration.ofSeconds(60), () -> openCount() >= conns.size() * 95 / 100);
        log("soak: %d of %d connections open after %.1f s", openCount(), conns.size(), seconds(start));

        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(Thread.ofPlatform().daemon().name("publisher-" + t).start(this::publish));
        }
        workers.add(Thread.ofPlatform().daemon().name("churn").start(this::churn));
        workers.add(Thread.ofPlatform().daemon().name("abuse").start(this::abuseLoop));
        workers.add(Thread.ofPlatform().daemon().name("slowloris").start(this::slowloris));

        long end = System.nanoTime() + duration.toNanos();
        long nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(nextSample - System.nanoTime()),
                    TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            if (System.nanoTime() >= nextSample) {
                sample(start);
                nextSample += TimeUnit.SECONDS.toNanos(10);
            }
        }
        publishing.set(false);
        abusing.set(false);
        stopping.set(true); // no more churn; closed connections still reconnect
        for (Thread w : workers) {
            w.join(Duration.ofSeconds(30));
        }
        // Settle: the slow readers read again, every connection reconnects and catches up.
        for (Conn c : slow) {
            c.resumeReading();
        }
        for (Conn c : conns) {
            c.ensureOpen();
        }
        long settleStart = System.nanoTime();
        boolean settled = awaitUntil(Duration.ofSeconds(120), () -> totalMissing() == 0);
        log("soak: settled=%s in %.1f s, %d connections open", settled, seconds(settleStart), openCount());
        sample(start);
        nodeMetrics = metrics("herald_slow_consumers_total", "herald_connections{", "process_files_open_files");
        for (Conn c : conns) {
            c.closeForGood();
        }
        return summary(seconds(start));
    }

    private int summary(double elapsed) {
        long ackedSeqs = 0;
        long lost = 0;
        int usersWithLoss = 0;
        for (UserSeqs u : byUser.values()) {
            synchronized (u) {
                ackedSeqs += u.acked.cardinality();
            }
            int m = u.missing();
            lost += m;
            if (m > 0) {
                usersWithLoss++;
            }
        }
        // Trend: the median of the last three samples against the median of the first three
        // (the first taken 10 s into the load, after the ramp).
        List<Sample> during = samples.subList(0, Math.max(0, samples.size() - 1)); // the last one is after settling
        Sample first = medianOf(during.subList(0, Math.min(3, during.size())));
        Sample last = medianOf(during.subList(Math.max(0, during.size() - 3), during.size()));
        long heapLimit = first.heapAfterGcKb() * 125 / 100 + 16 * 1024;
        long fdLimit = first.fds() + Math.max(100, first.fds() / 20);
        boolean heapFlat = last.heapAfterGcKb() <= heapLimit;
        boolean fdsFlat = last.fds() <= fdLimit;
        boolean ok = lost == 0 && gapsInConnection.sum() == 0 && repeatsInConnection.sum() == 0 && heapFlat && fdsFlat
                && ackedSeqs > 0;

        StringBuilder s = new StringBuilder();
        s.append(String.format("%n== soak summary (%.0f s) ==%n", elapsed));
        s.append(String.format("connections: %d (%d users x %d, %d slow readers); connects %d, connect failures %d, churned %d%n",
                conns.size(), users, perUser, slowReaders, connects.sum(), connectFailures.sum(), churned.sum()));
        s.append(String.format("close frames received, by code (1000 is the echo of a churn close): %s%n", counts(serverCloses)));
        s.append(String.format("node metrics at the end: %s%n", nodeMetrics));
        s.append(String.format("publishes acknowledged: %d; refused or failed: %s%n", acked.sum(), counts(publishRefusals)));
        s.append(String.format("frames delivered: %d; gaps within a connection: %d; repeats within a connection: %d%n",
                delivered.sum(), gapsInConnection.sum(), repeatsInConnection.sum()));
        s.append(String.format("abusive requests (outcome: count): %s%n", counts(abuse)));
        s.append(String.format("slowloris: open at the end %d, longest kept open by the server %.1f s%n",
                slowlorisOpen.get(), slowlorisLongestMillis.get() / 1000.0));
        s.append(String.format("lost acknowledged events: %d of %d (users with a loss: %d)%n", lost, ackedSeqs, usersWithLoss));
        s.append("samples (s, heap after full GC MiB, open fds, RSS MiB, client connections open):\n");
        for (Sample x : samples) {
            s.append(String.format("  %4d  %7.1f  %6d  %7.1f  %6d%n", x.seconds(), x.heapAfterGcKb() / 1024.0, x.fds(),
                    x.rssKb() / 1024.0, x.open()));
        }
        s.append(String.format("heap after GC: first %.1f MiB, last %.1f MiB, limit %.1f MiB (first +25%% +16 MiB): %s%n",
                first.heapAfterGcKb() / 1024.0, last.heapAfterGcKb() / 1024.0, heapLimit / 1024.0, heapFlat ? "within tolerance" : "GROWING beyond tolerance"));
        s.append(String.format("open fds: first %d, last %d, limit %d (first + max(100, 5%%)): %s%n",
                first.fds(), last.fds(), fdLimit, fdsFlat ? "within tolerance" : "GROWING beyond tolerance"));
        s.append("verdict: ").append(ok ? "PASS" : "FAIL").append('\n');
        System.out.print(s);
        return ok ? 0 : 1;
    }

    private static Sample medianOf(List<Sample> list) {
        if (list.isEmpty()) {
            return new Sample(0, 0, 0, 0, 0);
        }
        List<Long> heap = list.stream().map(Sample::heapAfterGcKb).sorted().toList();
        List<Long> fds = list.stream().map(Sample::fds).sorted().toList();
        return new Sample(list.get(list.size() / 2).seconds(), heap.get(heap.size() / 2), fds.get(fds.size() / 2), 0, 0);
    }

    private static String counts(Map<?, LongAdder> m) {
        StringBuilder b = new StringBuilder("{");
        m.entrySet().stream().sorted(Map.Entry.comparingByKey((a, c) -> String.valueOf(a).compareTo(String.valueOf(c))))
                .forEach(e -> b.append(b.length() > 1 ? ", " : "").append(e.getKey()).append(": ").append(e.getValue().sum()));
        return b.append('}').toString();
    }

    private long totalMissing() {
        long m = 0;
        for (UserSeqs u : byUser.values()) {
            m += u.missing();
        }
        return m;
    }

    private int openCount() {
        int n = 0;
        for (Conn c : conns) {
            if (c.ready) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- sampling

    private void sample(long start) {
        try {
            jcmd("GC.run");
            Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
            long heap = m.find() ? Long.parseLong(m.group(1)) : -1;
            long fds;
            try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = list.count();
            }
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            Sample s = new Sample(Math.round(seconds(start)), heap, fds, rss, openCount());
            samples.add(s);
            log("sample t=%ds heap-after-gc=%.1fMiB fds=%d rss=%.1fMiB open=%d acked=%d delivered=%d missing-now=%d",
                    s.seconds(), heap / 1024.0, fds, rss / 1024.0, s.open(), acked.sum(), delivered.sum(), totalMissing());
        } catch (Exception e) {
            log("soak: sampling failed: %s", e);
        }
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish in 30 s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- publisher

    private void publish() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://" + host + ":" + port + "/api/v1/notifications");
        Random random = new Random();
        String pad = "x".repeat(32 * 1024); // slow readers' notifications are big: their queues fill within minutes
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * 4 / Math.max(1, publishRate);
        long next = System.nanoTime();
        long i = 0;
        while (publishing.get()) {
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleep(TimeUnit.NANOSECONDS.toMillis(wait));
            } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime(); // behind by more than a second: do not burst to catch up
            }
            boolean toSlow = slowReaders > 0 && i++ % 10 == 0;
            String user = toSlow ? "slow" + random.nextInt(slowReaders) : "s" + random.nextInt(users);
            String body = "{\"to\":{\"user\":\"" + user + "\"},\"notification\":{\"type\":\"soak\",\"i\":" + i
                    + (toSlow ? ",\"pad\":\"" + pad + "\"" : "") + "}}";
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 201) {
                    long seq = FrameScanner.longField(io.netty.buffer.Unpooled.wrappedBuffer(
                            r.body().getBytes(StandardCharsets.UTF_8)), SEQ, -1);
                    UserSeqs u = byUser.get(user);
                    synchronized (u) {
                        u.acked.set((int) seq);
                    }
                    acked.increment();
                } else {
                    publishRefusals.computeIfAbsent(String.valueOf(r.statusCode()), k -> new LongAdder()).increment();
                }
            } catch (IOException e) {
                publishRefusals.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- churn

    private void churn() {
        List<Conn> normal = conns.stream().filter(c -> !c.slowReader).toList();
        while (!stopping.get()) {
            for (int i = 0; i < churnPerSecond; i++) {
                Conn c = normal.get(ThreadLocalRandom.current().nextInt(normal.size()));
                if (c.ready) {
                    churned.increment();
                    c.closeAndReconnect();
                }
            }
            sleep(1000);
        }
    }

    // ---------------------------------------------------------------- abusive clients

    private void abuseLoop() {
        int round = 0;
        while (abusing.get()) {
            try {
                switch (round++ % 6) {
                    case 0 -> wsAbuse("garbage-text", textFrame("this is not json {{{".getBytes(StandardCharsets.UTF_8)));
                    case 1 -> wsAbuse("oversized-frame", textFrame(new byte[1 << 20]));
                    case 2 -> wsAbuse("invalid-utf8", textFrame(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}));
                    case 3 -> httpAbuse("bad-escape", "GET /healthz?a=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    case 4 -> httpAbuse("engineio-no-auth", "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    default -> httpAbuse("garbage-http", "\u0001\u0002 GARBAGE /\r\n\r\n");
                }
            } catch (Exception e) {
                abuse.computeIfAbsent("client-error " + e.getClass().getSimpleName(), k -> new LongAdder()).increment();
            }
            sleep(100);
        }
    }

    /** A raw request on its own connection; counts the status line's code (or how it ended). */
    private void httpAbuse(String kind, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(sources.get(ThreadLocalRandom.current().nextInt(sources.size())));
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String status = readLine(s.getInputStream());
            String outcome = status == null ? "closed" : status.length() >= 12 ? status.substring(9, 12) : status;
            abuse.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
        } catch (java.net.SocketTimeoutException e) {
            abuse.computeIfAbsent(kind + " no-answer-in-5s", k -> new LongAdder()).increment();
        }
    }

    /** An authenticated WebSocket that sends one bad frame; counts the close code the server sends. */
    private void wsAbuse(String kind, byte[] frame) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(sources.get(ThreadLocalRandom.current().nextInt(sources.size())));
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String token = jwt.userToken("abuser" + ThreadLocalRandom.current().nextInt(20), List.of());
            out.write(("GET /ws/notifications?access_token=" + token + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = readLine(in);
            if (status == null || !status.contains(" 101 ")) {
                abuse.computeIfAbsent(kind + " upgrade-refused " + status, k -> new LongAdder()).increment();
                return;
            }
            while (true) {
                String line = readLine(in);
                if (line == null || line.isEmpty()) {
                    break;
                }
            }
            out.write(frame);
            out.flush();
            String answer = readAnswer(in);
            abuse.computeIfAbsent(kind + " " + answer, k -> new LongAdder()).increment();
        } catch (java.net.SocketTimeoutException e) {
            abuse.computeIfAbsent(kind + " no-answer-in-5s", k -> new LongAdder()).increment();
        } catch (IOException e) {
            // A reset after an oversized frame: the server stopped reading and closed.
            abuse.computeIfAbsent(kind + " reset", k -> new LongAdder()).increment();
        }
    }

    /**
     * Reads server frames until a close frame ("close CODE") or an error frame ("error-frame"),
     * skipping `connected` and other frames; "ended" when the connection just ended.
     */
    private static String readAnswer(InputStream in) throws IOException {
        for (int frames = 0; frames < 1000; frames++) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return "ended";
            }
            long len = b1 & 0x7f;
            if (len == 126) {
                len = (in.read() << 8) | in.read();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) len);
            if ((b0 & 0x0f) == 0x8) {
                return "close " + (payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005);
            }
            if (new String(payload, StandardCharsets.UTF_8).startsWith("{\"type\":\"error\"")) {
                return "error-frame";
            }
        }
        return "no-close";
    }

    /** A masked client text frame (RFC 6455 5.2). */
    private static byte[] textFrame(byte[] payload) {
        int headerLength = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
        byte[] f = new byte[headerLength + 4 + payload.length];
        f[0] = (byte) 0x81;
        if (payload.length < 126) {
            f[1] = (byte) (0x80 | payload.length);
        } else if (payload.length < 65536) {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (payload.length >> 8);
            f[3] = (byte) payload.length;
        } else {
            f[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) ((long) payload.length >> (56 - 8 * i));
            }
        }
        byte[] mask = {1, 2, 3, 4};
        System.arraycopy(mask, 0, f, headerLength, 4);
        for (int i = 0; i < payload.length; i++) {
            f[headerLength + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return f;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8192; i++) {
            int c = in.read();
            if (c < 0) {
                return b.isEmpty() ? null : b.toString();
            }
            if (c == '\n') {
                return b.toString().replace("\r", "");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /**
     * Up to 50 slowloris connections at a time: each sends a request line and then one header
     * line every 5 s, never the blank line. Records how long the server keeps each open.
     */
    private void slowloris() {
        record Loris(Socket socket, long opened) {
        }
        List<Loris> open = new ArrayList<>();
        try {
            while (abusing.get()) {
                while (open.size() < 50) {
                    try {
                        Socket s = new Socket();
                        s.bind(sources.get(ThreadLocalRandom.current().nextInt(sources.size())));
                        s.connect(new InetSocketAddress(host, port), 5_000);
                        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        open.add(new Loris(s, System.nanoTime()));
                    } catch (IOException e) {
                        abuse.computeIfAbsent("slowloris connect-failed", k -> new LongAdder()).increment();
                        break;
                    }
                }
                for (int i = open.size() - 1; i >= 0; i--) {
                    Loris l = open.get(i);
                    boolean closed;
                    try {
                        l.socket().getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        l.socket().setSoTimeout(1);
                        try {
                            closed = l.socket().getInputStream().read() < 0;
                        } catch (java.net.SocketTimeoutException e) {
                            closed = false;
                        }
                    } catch (IOException e) {
                        closed = true;
                    }
                    if (closed) {
                        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - l.opened());
                        slowlorisLongestMillis.accumulateAndGet(ms, Math::max);
                        abuse.computeIfAbsent("slowloris closed-by-server", k -> new LongAdder()).increment();
                        closeQuietly(l.socket());
                        open.remove(i);
                    } else {
                        slowlorisLongestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - l.opened()), Math::max);
                    }
                }
                slowlorisOpen.set(open.size());
                sleep(5_000);
            }
        } finally {
            open.forEach(l -> closeQuietly(l.socket()));
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    // ---------------------------------------------------------------- one client connection

    /**
     * One user connection that resumes from the last seq it saw whenever it reconnects. Fields
     * other than the volatile ones are touched on the channel's event loop only.
     */
    private final class Conn {
        final String user;
        final boolean slowReader;
        final int source = ThreadLocalRandom.current().nextInt(Math.max(1, sources.size()));
        volatile boolean ready;
        volatile boolean forGood;
        volatile Channel channel;
        volatile long lastSeq;
        /** The seq this connection expects next; 0 until `connected`. */
        long expected;
        int closeCode = -1;
        int failuresInARow;

        Conn(String user, boolean slowReader) {
            this.user = user;
            this.slowReader = slowReader;
        }

        void open() {
            URI uri = URI.create("ws://" + host + ":" + port + "/ws/notifications?since=" + lastSeq
                    + "&access_token=" + jwtFor(user));
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri).version(WebSocketVersion.V13).allowExtensions(false)
                    .customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(1 << 20)
                    .handshakeTimeoutMillis(30_000).handleCloseFrames(false).dropPongFrames(true).build();
            Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                            new WebSocketClientProtocolHandler(config), new Handler(Conn.this));
                }
            });
            if (slowReader) {
                b.option(ChannelOption.SO_RCVBUF, 8 * 1024); // little kernel buffering: the server's queue takes the backlog
            }
            connects.increment();
            b.connect(new InetSocketAddress(host, port), sources.get(source)).addListener(f -> {
                if (!f.isSuccess()) {
                    connectFailures.increment();
                    reconnectLater();
                }
            });
        }

        private void onText(ChannelHandlerContext ctx, ByteBuf text) {
            if (FrameScanner.startsWith(text, CONNECTED)) {
                expected = lastSeq + 1;
                ready = true;
                failuresInARow = 0;
                if (slowReader && !forGood && publishing.get()) {
                    ctx.channel().config().setAutoRead(false); // stops reading: the server's queue for it fills
                }
                return;
            }
            if (!FrameScanner.startsWith(text, SOAK)) {
                return; // unread_count and other frames
            }
            long seq = lastSeqField(text);
            if (seq < expected) {
                repeatsInConnection.increment();
                return;
            }
            if (seq > expected) {
                gapsInConnection.increment();
            }
            expected = seq + 1;
            lastSeq = seq;
            delivered.increment();
            UserSeqs u = byUser.get(user);
            synchronized (u) {
                u.seen.set((int) seq);
            }
        }

        void inactive() {
            boolean wasReady = ready;
            ready = false;
            if (closeCode > 0) {
                serverCloses.computeIfAbsent(closeCode, k -> new LongAdder()).increment();
            } else if (!wasReady) {
                connectFailures.increment();
            }
            if (!forGood) {
                reconnectLater();
            }
        }

        void reconnectLater() {
            if (forGood) {
                return;
            }
            failuresInARow = Math.min(failuresInARow + 1, 6);
            long delay = 100L * (1L << failuresInARow) + ThreadLocalRandom.current().nextLong(200);
            loops.schedule(this::open, delay, TimeUnit.MILLISECONDS);
        }

        /** Churn: the client goes away (a normal close) and comes back with since=its last seq. */
        void closeAndReconnect() {
            Channel ch = channel;
            if (ch != null) {
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "churn")).addListener(f -> ch.close());
            }
        }

        void resumeReading() {
            Channel ch = channel;
            if (ch != null) {
                ch.eventLoop().execute(() -> {
                    ch.config().setAutoRead(true);
                    ch.read();
                });
            }
        }

        void ensureOpen() {
            // Closed connections are reconnecting already (reconnectLater); nothing to do here
            // but make sure a slow reader that stopped before `connected` reads.
            resumeReading();
        }

        void closeForGood() {
            forGood = true;
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** The handler of one channel of a {@link Conn} (a handler instance belongs to one pipeline). */
    private static final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Conn conn;

        Handler(Conn conn) {
            super(false);
            this.conn = conn;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            conn.channel = ctx.channel();
            conn.closeCode = -1;
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            try {
                if (frame instanceof CloseWebSocketFrame close) {
                    conn.closeCode = close.statusCode();
                    ctx.close();
                } else if (frame instanceof TextWebSocketFrame) {
                    conn.onText(ctx, frame.content());
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            conn.inactive();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private String jwtFor(String user) {
        return tokens.computeIfAbsent(user, u -> {
            synchronized (jwt) {
                return jwt.userToken(u, List.of());
            }
        });
    }

    private static long lastSeqField(ByteBuf text) {
        // Herald appends id, seq, created_at after the app's fields: the last "seq" is Herald's.
        int at = -1;
        for (int i = FrameScanner.indexOf(text, SEQ, text.readerIndex()); i >= 0; i = FrameScanner.indexOf(text, SEQ, i + 1)) {
            at = i;
        }
        if (at < 0) {
            return -1;
        }
        long v = 0;
        for (int i = at + SEQ.length; i < text.writerIndex(); i++) {
            byte c = text.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ---------------------------------------------------------------- small helpers

    private static boolean awaitUntil(Duration bound, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            sleep(500);
        }
        return done.getAsBoolean();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf(format + "%n", args);
        System.out.flush();
    }
}
