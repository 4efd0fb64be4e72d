package dev.herald.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transport's limit for fanout on this machine (peer (b) of issue 7): WebSocket clients join
 * a room ({@code /ws?room=R&user=U}); {@code POST /publish?room=R} (or {@code room=user:U})
 * encodes the body once as a WebSocket frame and writes the same bytes to every channel of the
 * room, flushing once per event-loop pass (write coalescing). A text frame {@code {"to":"U",...}}
 * from a client is forwarded to U (chat). {@code GET /metrics}: heap in use, Prometheus style.
 * No auth, no storage, no limits: it is a yardstick, not a server.
 *
 * <p>Threading: each event loop owns a {@link LoopRooms} with the channels registered on it; it
 * is touched only on that loop. A publish hands the encoded frame to every loop.
 */
final class BroadcastServer {

    private static final byte[] TO = FrameScanner.key("to");

    /** The rooms of the channels of one event loop; confined to that loop. */
    private static final class LoopRooms {
        final EventLoop loop;
        final Map<String, Set<Channel>> rooms = new HashMap<>();
        final Set<Channel> pendingFlush = new LinkedHashSet<>();
        boolean flushScheduled;

        LoopRooms(EventLoop loop) {
            this.loop = loop;
        }

        void write(String room, ByteBuf frame) {
            Set<Channel> members = rooms.get(room);
            if (members != null) {
                for (Channel ch : members) {
                    ch.write(frame.retainedDuplicate(), ch.voidPromise());
                    pendingFlush.add(ch);
                }
                if (!flushScheduled && !pendingFlush.isEmpty()) {
                    flushScheduled = true;
                    loop.execute(this::flush);   // runs after the tasks already queued: one flush per pass
                }
            }
            frame.release();
        }

        void flush() {
            flushScheduled = false;
            for (Channel ch : pendingFlush) {
                ch.flush();
            }
            pendingFlush.clear();
        }
    }

    private final Map<EventLoop, LoopRooms> loops = new ConcurrentHashMap<>();
    private final Map<String, Channel> users = new ConcurrentHashMap<>();

    private LoopRooms roomsOf(Channel ch) {
        return loops.computeIfAbsent(ch.eventLoop(), LoopRooms::new);
    }

    private void publish(String room, ByteBuf body) {
        ByteBuf frame = WsFrames.text(body.alloc(), body);
        for (LoopRooms lr : loops.values()) {
            ByteBuf mine = frame.retain();
            lr.loop.execute(() -> lr.write(room, mine));
        }
        frame.release();
    }

    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            if (path.equals("/ws")) {
                upgrade(ctx, req, q);
            } else if (path.equals("/publish") && q.parameters().containsKey("room")) {
                publish(q.parameters().get("room").get(0), req.content());
                answer(ctx, HttpResponseStatus.NO_CONTENT, "");
            } else if (path.equals("/metrics")) {
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                answer(ctx, HttpResponseStatus.OK, "jvm_memory_used_bytes{area=\"heap\",id=\"all\"} " + heap + "\n");
            } else {
                answer(ctx, HttpResponseStatus.NOT_FOUND, "");
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder q) {
            WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(
                    "ws://" + req.headers().get(HttpHeaderNames.HOST) + "/ws", null, false, 65536).newHandshaker(req);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            Channel ch = ctx.channel();
            String room = q.parameters().containsKey("room") ? q.parameters().get("room").get(0) : null;
            String user = q.parameters().containsKey("user") ? q.parameters().get("user").get(0) : null;
            hs.handshake(ch, req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ch.close();
                    return;
                }
                ch.pipeline().replace(HttpHandler.this, "ws", new WsHandler(hs));
                LoopRooms lr = roomsOf(ch);
                if (room != null) {
                    lr.rooms.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(ch);
                }
                if (user != null) {
                    lr.rooms.computeIfAbsent("user:" + user, r -> new LinkedHashSet<>()).add(ch);
                    users.put(user, ch);
                }
                ch.closeFuture().addListener(c -> {
                    if (room != null) {
                        lr.rooms.get(room).remove(ch);
                    }
                    if (user != null) {
                        lr.rooms.get("user:" + user).remove(ch);
                        users.remove(user, ch);
                    }
                    lr.pendingFlush.remove(ch);
                });
            });
        }

        private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res);
        }
    }

    private final class WsHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final WebSocketServerHandshaker hs;

        WsHandler(WebSocketServerHandshaker hs) {
            this.hs = hs;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                String to = FrameScanner.stringField(text.content(), TO);
                Channel peer = to == null ? null : users.get(to);
                if (peer != null) {
                    peer.writeAndFlush(text.retainedDuplicate(), peer.voidPromise());
                }
            } else if (frame instanceof io.netty.handler.codec.http.websocketx.CloseWebSocketFrame close) {
                hs.close(ctx.channel(), close.retain());
            } else if (frame instanceof io.netty.handler.codec.http.websocketx.PingWebSocketFrame ping) {
                ctx.writeAndFlush(new io.netty.handler.codec.http.websocketx.PongWebSocketFrame(ping.content().retain()));
            }
        }
    }

    /** Binds and serves until the process is stopped; prints the listening line scripts wait for. */
    static void run(String host, int port) throws InterruptedException {
        BroadcastServer server = new BroadcastServer();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
        Channel listener = new ServerBootstrap().group(boss, workers)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                server.new HttpHandler());
                    }
                })
                .bind(host, port).sync().channel();
        int bound = ((InetSocketAddress) listener.localAddress()).getPort();
        System.out.println("bare-netty listening on http://" + host + ":" + bound);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }));
        listener.closeFuture().sync();
    }
}
