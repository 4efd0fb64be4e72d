package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The app backend: publishes (or sends other API requests, e.g. creating conversations) over
 * HTTP/1.1 keep-alive from {@code connections} connections, each sending its next request when
 * the previous one is answered (closed loop), optionally paced to a total rate (open loop up to
 * the concurrency). A publish's payload {@code t} is stamped at send time. One {@link #run} or
 * {@link #exchange} at a time; runs its I/O on the given loop group.
 */
final class Publisher {

    /** Where message {@code index} goes: a room (Herald topic) or a user. */
    record Dest(String room, String user) {
    }

    /** One API request: {@code POST path} with the JSON {@code body}. */
    record Request(String path, String body) {
    }

    /** Told every answer of an {@link #exchange}, on the publishing loop, with its request's index. */
    interface Answer {
        void answered(long index, FullHttpResponse response);
    }

    /** What one run did. */
    record Outcome(long acked, long failed, long nanos, String firstError) {
        double ackedPerSecond() {
            return acked / (nanos / 1e9);
        }
    }

    private final EventLoopGroup loops;
    private final URI base;
    private final Target target;
    private final String apiKey;

    Publisher(EventLoopGroup loops, URI base, Target target, String apiKey) {
        this.loops = loops;
        this.base = base;
        this.target = target;
        this.apiKey = apiKey;
    }

    /**
     * Publishes messages 0, 1, 2, ... to {@code destOf(index)} until {@code count} were sent
     * (count < 0: no limit) or {@code seconds} passed, at {@code rate} per second in total
     * (0: as fast as the answers come). Returns when every sent request is answered.
     */
    Outcome run(LongFunction<Dest> destOf, long count, double seconds, double rate, int connections) {
        return run(destOf, count, seconds, rate, connections, 1);
    }

    /**
     * As {@link #run(LongFunction, long, double, double, int)}, with {@code perRequest} messages
     * in each request (Herald's batch publish when above 1): {@code count} and {@code rate} count
     * messages, and an answered request acknowledges all of its messages.
     */
    Outcome run(LongFunction<Dest> destOf, long count, double seconds, double rate, int connections, int perRequest) {
        if (perRequest > 1 && !target.herald()) {
            throw new IllegalArgumentException(target.label + " has no batch publish");
        }
        return exchange(k -> {
            long now = System.nanoTime();
            if (perRequest == 1) {
                Dest d = destOf.apply(k);
                return new Request(target.publishPath(d.room(), d.user()), target.publishBody(d.room(), d.user(), Payload.of(now, k)));
            }
            StringBuilder items = new StringBuilder("{\"publishes\":[");
            for (long m = k; m < k + perRequest; m++) {
                Dest d = destOf.apply(m);
                items.append(m == k ? "" : ",").append(target.publishBody(d.room(), d.user(), Payload.of(now, m)));
            }
            return new Request(Target.HERALD_BATCH_PATH, items.append("]}").toString());
        }, (k, res) -> { }, count, seconds, rate, connections, perRequest);
    }

    /**
     * Sends requests 0, 1, 2, ... built by {@code requestOf(index)} at send time, like {@link #run},
     * and hands every answer to {@code answer}. A 2xx answer counts as acked, any other as failed.
     */
    Outcome exchange(LongFunction<Request> requestOf, Answer answer, long count, double seconds, double rate,
                     int connections) {
        return exchange(requestOf, answer, count, seconds, rate, connections, 1);
    }

    /** As above, each request standing for {@code perRequest} indexes (and acks) from its own. */
    private Outcome exchange(LongFunction<Request> requestOf, Answer answer, long count, double seconds, double rate,
                             int connections, int perRequest) {
        AtomicLong next = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicInteger errorsShown = new AtomicInteger();
        String[] firstError = new String[1];
        CountDownLatch done = new CountDownLatch(connections);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Bootstrap b = new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
        for (int c = 0; c < connections; c++) {
            b.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                private boolean finished;
                                private long inFlight = -1;

                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    sendNext(ctx);
                                }

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                                    answer.answered(inFlight, res);
                                    int code = res.status().code();
                                    if (code >= 200 && code < 300) {
                                        acked.addAndGet(perRequest);
                                    } else {
                                        failed.addAndGet(perRequest);
                                        if (errorsShown.getAndIncrement() == 0) {
                                            firstError[0] = code + " " + res.content().toString(StandardCharsets.UTF_8);
                                        }
                                    }
                                    sendNext(ctx);
                                }

                                private void sendNext(ChannelHandlerContext ctx) {
                                    long now = System.nanoTime();
                                    long k = next.getAndAdd(perRequest);
                                    if ((count >= 0 && k >= count) || now >= end) {
                                        finish(ctx);
                                        return;
                                    }
                                    long due = rate > 0 ? start + (long) (k * 1e9 / rate) : now;
                                    if (due > now) {
                                        ctx.executor().schedule(() -> send(ctx, k), due - now, TimeUnit.NANOSECONDS);
                                    } else {
                                        send(ctx, k);
                                    }
                                }

                                private void send(ChannelHandlerContext ctx, long k) {
                                    Request r = requestOf.apply(k);
                                    inFlight = k;
                                    ctx.writeAndFlush(request(r.path(), r.body()));
                                }

                                private void finish(ChannelHandlerContext ctx) {
                                    if (!finished) {
                                        finished = true;
                                        ctx.close();
                                        done.countDown();
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    if (!finished) {
                                        failed.incrementAndGet();
                                        finished = true;
                                        done.countDown();
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    if (errorsShown.getAndIncrement() == 0) {
                                        firstError[0] = String.valueOf(cause);
                                    }
                                    ctx.close();
                                }
                            });
                }
            }).connect(base.getHost(), base.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    firstError[0] = "connect: " + f.cause();
                    done.countDown();
                }
            });
        }
        try {
            if (!done.await((long) seconds + 120, TimeUnit.SECONDS)) {
                firstError[0] = "publishers did not finish in time";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Outcome(acked.get(), failed.get(), System.nanoTime() - start, firstError[0]);
    }

    private FullHttpRequest request(String path, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content);
        req.headers().set(HttpHeaderNames.HOST, base.getHost() + ":" + base.getPort());
        req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (apiKey != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
        }
        return req;
    }
}
