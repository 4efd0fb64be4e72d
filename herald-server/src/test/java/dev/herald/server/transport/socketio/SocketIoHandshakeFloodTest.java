package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.HeraldNodeExtension;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finding 4 of "Safe to expose", end to end against a real Herald node: a flood of anonymous
 * Engine.IO handshakes with 15 KB of headers each, from one address (127.0.0.1), keeps the heap
 * flat (each pending session keeps a few hundred characters, and at most
 * {@link SocketIoEndpoint#DEFAULT_MAX_PENDING_PER_ADDRESS} are pending from one address) while a
 * legitimate client from another address (127.0.0.2, the official Java client over polling with
 * upgrade) keeps connecting and authenticating. Before the fix every handshake kept its whole
 * header block for 45 s: 2,000 of them held over 30 MB.
 */
class SocketIoHandshakeFloodTest {
    private static final int MIN_FLOOD = 2_000;
    private static final int MAX_FLOOD = 10_000;
    private static final int FLOOD_THREADS = 4;
    private static final long FLOOD_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int LEGIT_CONNECTS = 3;
    private static final String JUNK = "j".repeat(3_000);
    /** About 15 KB of headers (Herald's codec takes 16 KiB); only the Authorization is kept. */
    private static final String FLOOD_REQUEST = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Authorization: Bearer " + "a".repeat(5_000) + "\r\n"
            + "Cookie: tracker=" + JUNK + "\r\n"
            + "X-Junk-1: " + JUNK + "\r\n"
            + "X-Junk-2: " + JUNK + "\r\n"
            + "User-Agent: " + "u".repeat(1_000) + "\r\n\r\n";

    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    @Test
    void aFloodOfAnonymousHandshakesKeepsTheHeapFlatAndALegitClientIsServed() throws Exception {
        OkHttpClient fromSecondAddress = new OkHttpClient.Builder().socketFactory(new BoundSocketFactory("127.0.0.2"))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(FLOOD_THREADS);
        try {
            // Warm up both paths (class loading, JIT) before the baseline.
            assertThat(legitConnect(fromSecondAddress, "warm-up")).isTrue();
            floodOne(new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
            long before = usedHeapAfterGc();

            LongAdder[] statuses = {new LongAdder(), new LongAdder(), new LongAdder()}; // 200, 429, other
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger legitDone = new AtomicInteger();
            long floodStart = System.nanoTime();
            List<Future<?>> flooders = new ArrayList<>();
            for (int t = 0; t < FLOOD_THREADS; t++) {
                flooders.add(pool.submit(() -> {
                    flood(statuses, sent, () -> sent.get() >= MIN_FLOOD && legitDone.get() >= LEGIT_CONNECTS
                            || sent.get() >= MAX_FLOOD || System.nanoTime() - floodStart > FLOOD_DEADLINE_NANOS);
                    return null;
                }));
            }

            // The legitimate client, from another address, while the flood runs.
            while (sent.get() < 200 && System.nanoTime() - floodStart < FLOOD_DEADLINE_NANOS) {
                Thread.sleep(5);
            }
            int servedDuringFlood = 0;
            int refused = 0;
            for (int i = 0; i < LEGIT_CONNECTS; i++) {
                if (legitConnect(fromSecondAddress, "legit-" + i)) {
                    if (sent.get() < MAX_FLOOD && flooders.stream().noneMatch(Future::isDone)) {
                        servedDuringFlood++;
                    }
                } else {
                    refused++;
                }
                legitDone.incrementAndGet();
            }
            for (Future<?> f : flooders) {
                f.get(90, TimeUnit.SECONDS);
            }
            Map<String, Double> metrics = metrics();
            long after = usedHeapAfterGc();

            long total = statuses[0].sum() + statuses[1].sum() + statuses[2].sum();
            System.out.printf("flood: %d answered (%d accepted, %d refused 429, %d other) in %d ms; legit served"
                    + " during flood %d/%d; heap retained %d KB; %s%n", total, statuses[0].sum(), statuses[1].sum(),
                    statuses[2].sum(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodStart),
                    servedDuringFlood, LEGIT_CONNECTS, (after - before) / 1024, metrics);
            assertThat(total).as("flood requests answered").isGreaterThanOrEqualTo(MIN_FLOOD);
            assertThat(statuses[2].sum()).as("answers other than 200 or 429").isZero();
            assertThat(statuses[0].sum()).as("flood handshakes accepted (pending per address cap, then"
                    + " released by the 10 s connect timeout)")
                    .isLessThanOrEqualTo(3L * SocketIoEndpoint.DEFAULT_MAX_PENDING_PER_ADDRESS);
            assertThat(refused).as("legit connects that failed").isZero();
            assertThat(servedDuringFlood).as("legit clients connected and authenticated while the flood ran")
                    .isEqualTo(LEGIT_CONNECTS);
            assertThat(metrics.get("herald_socketio_pending_sessions"))
                    .isLessThanOrEqualTo(SocketIoEndpoint.DEFAULT_MAX_PENDING_PER_ADDRESS + 1.0);
            assertThat(metrics.get("herald_socketio_refused_handshakes_total{reason=\"address_limit\"}"))
                    .isEqualTo((double) statuses[1].sum());
            assertThat(after - before).as("heap retained by the flood, bytes (before the fix: > 30 MB)")
                    .isLessThan(8L * 1024 * 1024);
        } finally {
            pool.shutdownNow();
            fromSecondAddress.dispatcher().executorService().shutdown();
            fromSecondAddress.connectionPool().evictAll();
        }
    }

    /** Connects with the official Java client (polling, then upgrade) and a valid token. */
    private static boolean legitConnect(OkHttpClient http, String user) throws Exception {
        IO.Options o = IO.Options.builder().setTransports(new String[] {"polling", "websocket"})
                .setReconnection(false).setForceNew(true)
                .setAuth(Map.of("token", node.server().tokens.forUser(user))).build();
        o.callFactory = http;
        o.webSocketFactory = http;
        Socket s = IO.socket(URI.create("http://127.0.0.1:" + node.server().port()), o);
        CompletableFuture<Boolean> connected = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> connected.complete(true));
        s.once(Socket.EVENT_CONNECT_ERROR, a -> connected.complete(false));
        try {
            s.connect();
            return connected.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } finally {
            s.close();
        }
    }

    private interface Stop {
        boolean now();
    }

    /** Sends flood handshakes on keep-alive connections from 127.0.0.1 until told to stop. */
    private static void flood(LongAdder[] statuses, AtomicInteger sent, Stop stop) throws IOException {
        while (!stop.now()) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                s.connect(new InetSocketAddress("127.0.0.1", node.server().port()), 5_000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; i < 200 && !stop.now(); i++) {
                    sent.incrementAndGet();
                    out.write(FLOOD_REQUEST.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!readResponse(in, statuses)) {
                        break;
                    }
                }
            }
        }
    }

    private static void floodOne(LongAdder[] statuses) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            s.connect(new InetSocketAddress("127.0.0.1", node.server().port()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(FLOOD_REQUEST.getBytes(StandardCharsets.US_ASCII));
            readResponse(s.getInputStream(), statuses);
        }
    }

    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3})");
    private static final Pattern LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");

    /** Reads one Content-Length framed response; counts its status; false when the connection ended. */
    private static boolean readResponse(InputStream in, LongAdder[] statuses) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Matcher st = STATUS.matcher(text);
        Matcher len = LENGTH.matcher(text);
        int length = len.find() ? Integer.parseInt(len.group(1)) : 0;
        if (in.readNBytes(length).length < length) {
            return false;
        }
        int status = st.find() ? Integer.parseInt(st.group(1)) : -1;
        statuses[status == 200 ? 0 : status == 429 ? 1 : 2].increment();
        return !text.toLowerCase().contains("connection: close");
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The Socket.IO lines of {@code /metrics}, by name with labels. */
    private static Map<String, Double> metrics() {
        Map<String, Double> out = new ConcurrentHashMap<>();
        for (String line : node.server().api.get("/metrics").body().split("\n")) {
            if (line.startsWith("herald_socketio_")) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    /** Sockets whose connections come from one local address (OkHttp connects them itself). */
    private static final class BoundSocketFactory extends SocketFactory {
        private final InetAddress local;

        BoundSocketFactory(String local) throws IOException {
            this.local = InetAddress.getByName(local);
        }

        @Override
        public java.net.Socket createSocket() throws IOException {
            java.net.Socket s = new java.net.Socket();
            s.bind(new InetSocketAddress(local, 0));
            return s;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws IOException {
            java.net.Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public java.net.Socket createSocket(String host, int port, InetAddress localHost, int localPort)
                throws IOException {
            return createSocket(host, port);
        }

        @Override
        public java.net.Socket createSocket(InetAddress host, int port) throws IOException {
            java.net.Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public java.net.Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(address, port);
        }
    }
}
