package dev.herald.server.api;

import dev.herald.server.testing.TestServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures single publishes over HTTP (not a test: no timed assertion), as the benchmark's inbox
 * scenario sends them: {@code connections} keep-alive connections, each sending its next
 * {@code POST /api/v1/notifications} to one user when the previous one is answered, against a
 * node in this JVM. Prints acked publishes/s and the node's CPU per publish: the process's CPU
 * time less that of the load threads (named {@code load-}), so GC and JIT are counted for the
 * node, and a busy machine changes the figure less than it changes the rate.
 *
 * <p>Run: {@code java -cp <test classpath> dev.herald.server.api.PublishThroughput [seconds] [connections] [store url]}
 */
public final class PublishThroughput {

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        String storeUrl = args.length > 2 ? args[2] : null;
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1,
                Thread.ofPlatform().name("load-", 0).daemon(true).factory(), NioIoHandler.newFactory());
        try (TestServer node = TestServer.start(b -> storeUrl == null ? b : b.storeUrl(storeUrl))) {
            round(node.port(), loops, "warm-up", 20, connections);
            for (int r = 1; r <= 3; r++) {
                double commits = batches(node.port());
                long acked = round(node.port(), loops, "measured " + r, seconds, connections);
                System.out.printf("  %.1f publishes per commit%n", acked / (batches(node.port()) - commits));
            }
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Group-commit transactions so far, from the node's metrics. */
    private static double batches(int port) throws Exception {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            String text = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String line : text.split("\n")) {
                if (line.startsWith("herald_store_latency_seconds_count{") && line.contains("op=\"batch\"")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return 0;
        }
    }

    private static long round(int port, EventLoopGroup loops, String name, double seconds, int connections)
            throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = processCpuNanos();
        java.util.Map<String, Long> groups0 = cpuByGroup(threads);
        long load0 = groups0.getOrDefault("load", 0L);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        String[] firstError = new String[1];
        CountDownLatch done = new CountDownLatch(connections);
        Bootstrap b = new Bootstrap().group(loops).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true);
        for (int c = 0; c < connections; c++) {
            b.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    sendNext(ctx);
                                }

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                                    if (res.status().code() == 201) {
                                        acked.incrementAndGet();
                                    } else if (failed.getAndIncrement() == 0) {
                                        firstError[0] = res.status() + " " + res.content().toString(StandardCharsets.UTF_8);
                                    }
                                    sendNext(ctx);
                                }

                                private void sendNext(ChannelHandlerContext ctx) {
                                    if (System.nanoTime() >= end) {
                                        ctx.close();
                                        return;
                                    }
                                    ctx.writeAndFlush(publish(port, next.getAndIncrement()));
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    done.countDown();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    firstError[0] = cause.toString();
                                    ctx.close();
                                }
                            });
                }
            }).connect("127.0.0.1", port);
        }
        if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
            firstError[0] = "connections did not finish in time";
        }
        double took = (System.nanoTime() - start) / 1e9;
        java.util.Map<String, Long> groups = cpuByGroup(threads);
        long load = groups.getOrDefault("load", 0L) - load0;
        long node = processCpuNanos() - cpu0 - load;
        long n = Math.max(1, acked.get());
        StringBuilder split = new StringBuilder();
        long java = 0;
        for (var g : new java.util.TreeMap<>(groups).entrySet()) {
            long d = g.getValue() - groups0.getOrDefault(g.getKey(), 0L);
            if (!g.getKey().equals("load")) {
                java += d;
                split.append(String.format(" %s %.1f", g.getKey(), d / 1e3 / n));
            }
        }
        split.append(String.format(" gc+jit+gone %.1f", (node - java) / 1e3 / n));
        System.out.printf("%s: %,d acked (%,.0f/s), %d failed%s; node CPU %.1f us/publish, load CPU %.1f us/publish%n",
                name, acked.get(), acked.get() / took, failed.get(), firstError[0] == null ? "" : " (" + firstError[0] + ")",
                node / 1e3 / n, load / 1e3 / n);
        System.out.println("  node CPU us/publish by thread:" + split);
        return acked.get();
    }

    private static FullHttpRequest publish(int port, long i) {
        String body = "{\"to\":{\"user\":\"u" + (i % 5000) + "\"},\"notification\":{\"type\":\"bench\",\"t\":"
                + System.nanoTime() + ",\"i\":" + i + ",\"p\":\"" + "x".repeat(56) + "\"}}";
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/notifications", content);
        req.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
        req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TestServer.API_KEY);
        return req;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the live platform threads, by kind (from their names). */
    private static java.util.Map<String, Long> cpuByGroup(ThreadMXBean threads) {
        java.util.Map<String, Long> sums = new java.util.HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            String group = name.startsWith("load-") ? "load"
                    : name.startsWith("herald-store-writer") ? "writer"
                    : name.startsWith("multiThreadIoEventLoopGroup") ? "loops"
                    : name.startsWith("ForkJoinPool") ? "virtual"
                    : "other";
            sums.merge(group, Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
        }
        return sums;
    }
}
