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

/**
 * Opens many WebSocket clients from one process: at most {@code maxInFlight} handshakes at a time
 * (so the server's accept backlog never overflows), spread over several loopback source addresses
 * (127.0.0.2, 127.0.0.3, ...) bound with {@code IP_BIND_ADDRESS_NO_PORT}, so the kernel picks the
 * port at connect time and tens of thousands of connects take seconds. Used by one scenario thread.
 */
final class ClientPool {

    /** Outcome of {@link #connect}: the clients (ready or not) and how long it took. */
    record Connected(List<BenchClient> clients, int ready, int failed, int refused, long nanos, String firstFailure) {
        double perSecond() {
            return ready / (nanos / 1e9);
        }
    }

    private final Target target;
    private final List<InetSocketAddress> servers;
    private final List<InetSocketAddress> sources;
    private final LoadContext ctx;
    private final Jwt jwt;
    private final Bootstrap bootstrap;

    /** @param bases the nodes to connect to; client i goes to node i modulo their number */
    ClientPool(Target target, List<URI> bases, int sourceAddresses, LoadContext ctx, Jwt jwt) {
        this.target = target;
        this.servers = bases.stream().map(b -> new InetSocketAddress(b.getHost(), b.getPort())).toList();
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
     * received, for chat `joined`; Socket.IO: `40` received, for Herald's chat the
     * `joinConversation` ack; bare Netty: handshake done) or failed. Clients refused
     * (e.g. a 503 under a connect burst) are retried, like a real client would, up to twice after
     * a one-second pause; {@code refused} counts every refusal. Gives up after {@code timeoutSeconds}.
     */
    Connected connect(List<Target.Subscription> subs, int maxInFlight, int timeoutSeconds) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<BenchClient> ready = new ArrayList<>(subs.size());
        List<Target.Subscription> todo = subs;
        int refused = 0;
        String firstFailure = null;
        for (int round = 0; round < 3 && !todo.isEmpty() && System.nanoTime() < deadline; round++) {
            if (round > 0) {
                LoadContext.sleep(1000);
            }
            List<BenchClient> tried = connectOnce(todo, maxInFlight, deadline);
            List<Target.Subscription> again = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                BenchClient c = i < tried.size() ? tried.get(i) : null;
                if (c != null && c.ready) {
                    ready.add(c);
                } else {
                    again.add(todo.get(i));
                    if (c != null) {
                        refused++;
                        if (firstFailure == null) {
                            firstFailure = c.failure;
                        }
                    }
                }
            }
            todo = again;
        }
        return new Connected(ready, ready.size(), todo.size(), refused, System.nanoTime() - start, firstFailure);
    }

    private List<BenchClient> connectOnce(List<Target.Subscription> subs, int maxInFlight, long deadline) {
        Semaphore permits = new Semaphore(maxInFlight);
        AtomicInteger settled = new AtomicInteger();
        BenchClient.ReadyListener listener = (client, ok) -> {
            settled.incrementAndGet();
            permits.release();
        };
        List<BenchClient> clients = new ArrayList<>(subs.size());
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
            Target.Subscription sub = subs.get(i);
            BenchClient client = new BenchClient(target, sub, target.connectPacket(sub, jwt), ctx, listener);
            clients.add(client);
            open(client, sources.get(i % sources.size()), servers.get(i % servers.size()));
        }
        while (settled.get() < clients.size() && System.nanoTime() < deadline) {
            LoadContext.sleep(10);
        }
        for (BenchClient c : clients) {
            if (!c.ready && c.channel != null) {
                c.channel.close();   // still handshaking at the deadline: do not leak it
            }
        }
        return clients;
    }

    private void open(BenchClient client, InetSocketAddress source, InetSocketAddress server) {
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
