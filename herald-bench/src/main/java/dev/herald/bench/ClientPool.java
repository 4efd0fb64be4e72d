package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens many WebSocket clients from one process: at most {@code maxInFlight} handshakes at a time
 * (so the server's accept backlog never overflows), spread over several loopback source addresses
 * (127.0.0.2, 127.0.0.3, ...) bound with {@code IP_BIND_ADDRESS_NO_PORT}, so the kernel picks the
 * port at connect time and tens of thousands of connects take seconds. Used by one scenario thread.
 */
final class ClientPool {

    /** Outcome of {@link #connect}: the clients (ready or not) and how long it took. */
    record Connected(List<BenchClient> clients, int ready, int failed, long nanos, String firstFailure) {
        double perSecond() {
            return ready / (nanos / 1e9);
        }
    }

    private final Target target;
    private final InetSocketAddress server;
    private final List<InetSocketAddress> sources;
    private final LoadContext ctx;
    private final Jwt jwt;
    private final Bootstrap bootstrap;

    ClientPool(Target target, URI base, int sourceAddresses, LoadContext ctx, Jwt jwt) {
        this.target = target;
        this.server = new InetSocketAddress(base.getHost(), base.getPort());
        this.ctx = ctx;
        this.jwt = jwt;
        this.sources = new ArrayList<>();
        for (int i = 0; i < sourceAddresses; i++) {
            sources.add(new InetSocketAddress("127.0.0." + (2 + i), 0));
        }
        this.bootstrap = new Bootstrap()
                .group(ctx.clientLoops)
                .channel(EpollSocketChannel.class)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    }

    /**
     * Connects one client per subscription and waits until each is ready (Herald: `connected`
     * received; Socket.IO: `40` received; bare Netty: handshake done) or failed, or {@code
     * timeoutSeconds} passed (the rest counts as failed).
     */
    Connected connect(List<Target.Subscription> subs, int maxInFlight, int timeoutSeconds) {
        Semaphore permits = new Semaphore(maxInFlight);
        AtomicInteger ready = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        BenchClient.ReadyListener listener = (client, ok) -> {
            (ok ? ready : failed).incrementAndGet();
            if (!ok) {
                firstFailure.compareAndSet(null, client.failure);
            }
            permits.release();
        };
        List<BenchClient> clients = new ArrayList<>(subs.size());
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int i = 0; i < subs.size(); i++) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            BenchClient client = new BenchClient(target, subs.get(i), ctx, listener);
            clients.add(client);
            open(client, sources.get(i % sources.size()));
        }
        while (ready.get() + failed.get() < clients.size() && System.nanoTime() < deadline) {
            LoadContext.sleep(10);
        }
        long nanos = System.nanoTime() - start;
        int notReady = subs.size() - ready.get();
        return new Connected(clients, ready.get(), notReady, nanos, firstFailure.get());
    }

    private void open(BenchClient client, InetSocketAddress source) {
        URI uri = URI.create("ws://" + server.getHostString() + ":" + server.getPort()
                + target.wsPath(client.sub, jwt));
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)
                .customHeaders(new DefaultHttpHeaders())
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(60_000)
                .handleCloseFrames(true)
                .sendCloseFrame(null)   // closing a client drops it like a network failure
                .dropPongFrames(true)
                .build();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new WebSocketClientProtocolHandler(config), client);
            }
        });
        ChannelFuture f = b.connect(server, source);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                client.connectFailed(done.cause());
            }
        });
    }

    /** Drops every client's TCP connection (no close frame) and waits for the closes. */
    static void closeAll(List<BenchClient> clients) {
        List<ChannelFuture> closes = new ArrayList<>(clients.size());
        for (BenchClient c : clients) {
            Channel ch = c.channel;
            if (ch != null) {
                closes.add(ch.close());
            }
        }
        for (ChannelFuture f : closes) {
            f.awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
