package dev.herald.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Web Push service on 127.0.0.1 for the push scenario: answers every {@code POST /push/<user>}
 * with 201 at once (anything else with 404) and records, per push, when it arrived and which
 * publish it carries.
 *
 * <p>Which publish: the scenario gives each publish the collapse key {@code k<index>}, which Herald
 * sends as the push's {@code Topic} header (a key of at most 32 characters of
 * {@code [A-Za-z0-9_-]} goes as is), so the index is read from that header and the body is never
 * decrypted. The payload's correctness (RFC 8291 encryption, VAPID, the JSON a device gets) is not
 * this sink's business: {@code PushEndToEndTest} decrypts every push it receives. A push without
 * such a topic is counted as unidentified.
 *
 * <p>HTTP/1.1 on plain TCP, keep-alive, as the JDK client Herald sends with speaks to an
 * {@code http://} endpoint (an {@code Upgrade: h2c} offer is answered as HTTP/1.1, i.e. declined).
 *
 * <p>Threading: one event loop accepts and serves every connection; the arrivals are appended to
 * arrays only that loop touches, and {@link #take} hands them over by running on the loop.
 * {@link #received} may be read from any thread.
 */
final class PushSink implements AutoCloseable {

    /** The collapse key's (and so the topic's) prefix before the publish index. */
    static final String TOPIC_PREFIX = "k";

    /** The pushes received since the last {@link #take}: index (-1: unidentified) and arrival time (nanoTime). */
    record Arrivals(long[] indexes, long[] nanos) {
    }

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Channel listener;
    private final LongAdder received = new LongAdder();
    /** Only on the loop. */
    private long[] indexes = new long[1 << 16];
    /** Only on the loop. */
    private long[] nanos = new long[1 << 16];
    /** Only on the loop. */
    private int size;

    private PushSink() throws InterruptedException {
        listener = new ServerBootstrap().group(loop, loop)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new PushHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    static PushSink start() throws InterruptedException {
        return new PushSink();
    }

    /** The endpoint a device of {@code user} registers: {@code http://127.0.0.1:<port>/push/<user>}. */
    String endpoint(String user) {
        return "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort() + "/push/" + user;
    }

    /** Pushes received so far, duplicates and unidentified ones included. */
    long received() {
        return received.sum();
    }

    /** The arrivals recorded since the last call, and forgets them. */
    Arrivals take() {
        return loop.submit(() -> {
            Arrivals a = new Arrivals(Arrays.copyOf(indexes, size), Arrays.copyOf(nanos, size));
            size = 0;
            return a;
        }).syncUninterruptibly().getNow();
    }

    /** The publish index in a topic {@code k<index>}, or -1 for anything else. */
    static long index(String topic) {
        if (topic == null || !topic.startsWith(TOPIC_PREFIX) || topic.length() == TOPIC_PREFIX.length()
                || topic.length() > TOPIC_PREFIX.length() + 18) {
            return -1;
        }
        long v = 0;
        for (int i = TOPIC_PREFIX.length(); i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class PushHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            long now = System.nanoTime();
            boolean push = req.method().equals(HttpMethod.POST) && req.uri().startsWith("/push/");
            if (push) {
                record(index(req.headers().get("Topic")), now);
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    push ? HttpResponseStatus.CREATED : HttpResponseStatus.NOT_FOUND);
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(res, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A broken connection from Herald is Herald's to retry (it counts as status 0 there).
            ctx.close();
        }

        private void record(long index, long at) {
            if (size == indexes.length) {
                indexes = Arrays.copyOf(indexes, size * 2);
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            indexes[size] = index;
            nanos[size] = at;
            size++;
            received.increment();
        }
    }
}
