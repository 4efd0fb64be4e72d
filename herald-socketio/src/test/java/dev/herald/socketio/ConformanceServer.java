package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.socketio.engine.EngineIoConfig;
import dev.herald.socketio.engine.EngineIoServer;
import dev.herald.socketio.engine.EnginePacket;
import dev.herald.socketio.engine.EngineSession;
import dev.herald.socketio.engine.EngineSessionListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The server the official Engine.IO and Socket.IO protocol test suites expect ("Test suite"
 * sections of their READMEs): pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1,000,000,
 * connectTimeout 1000 ms; {@code /socket.io/} with namespaces {@code /} and {@code /custom} that
 * answer a connection with {@code auth} (the handshake payload), {@code message} with
 * {@code message-back}, acknowledge {@code message-with-ack}, and answer {@code emit-with-ack}
 * with an emit that asks for an ack; and an echo server at {@code /engine.io/}.
 *
 * <p>Run: {@code ./mvnw -q -pl herald-socketio test-compile exec:java
 * -Dexec.mainClass=dev.herald.socketio.ConformanceServer -Dexec.classpathScope=test}
 * (port 3000, or the first argument). Tests use {@link #start(String, int)} with port 0.
 *
 * <p>Its pipeline is the one Herald's main server uses: HTTP codec, aggregator, then a router that
 * offers each request to the protocol servers' {@code handle} methods.
 */
public final class ConformanceServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final SocketIoServer socketIo;
    private final EngineIoServer echo;

    private ConformanceServer(EventLoopGroup group, Channel channel, SocketIoServer socketIo, EngineIoServer echo) {
        this.group = group;
        this.channel = channel;
        this.socketIo = socketIo;
        this.echo = echo;
    }

    static EngineIoConfig suiteEngineConfig(String path) {
        return EngineIoConfig.defaults().withPath(path).withPing(Duration.ofMillis(300), Duration.ofMillis(200))
                .withMaxPayload(1_000_000);
    }

    /** The Socket.IO configuration of the suites. */
    static SocketIoConfig suiteConfig() {
        return SocketIoConfig.defaults().withEngine(suiteEngineConfig("/socket.io/"))
                .withConnectTimeout(Duration.ofMillis(1000));
    }

    /** Starts on {@code host:port} (port 0 picks a free one) with the suites' configuration. */
    public static ConformanceServer start(String host, int port) throws InterruptedException {
        return start(host, port, suiteConfig());
    }

    /** Starts with a custom Socket.IO configuration (e.g. recovery on); the same handlers. */
    public static ConformanceServer start(String host, int port, SocketIoConfig config) throws InterruptedException {
        SocketIoServer io = new SocketIoServer(config);
        installHandlers(io.sockets());
        installHandlers(io.of("/custom"));
        EngineIoServer echo = new EngineIoServer(suiteEngineConfig("/engine.io/"), ConformanceServer::echo);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            // Herald's codec limits: 4 KiB request line, 16 KiB of headers.
                            c.pipeline().addLast(new HttpServerCodec(4096, 16 * 1024, 8192),
                                    new HttpObjectAggregator(2_000_000),
                                    new Router(io, echo));
                        }
                    }).bind(host, port).sync().channel();
            return new ConformanceServer(group, ch, io, echo);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            throw e;
        }
    }

    static void installHandlers(SocketIoNamespace nsp) {
        nsp.onConnection(socket -> {
            socket.emit("auth", socket.handshake().auth());
            socket.on("message", (s, args, ack) -> s.emit("message-back", args.toArray()));
            socket.on("message-with-ack", (s, args, ack) -> {
                if (ack != null) {
                    ack.send(args.toArray());
                }
            });
            socket.on("emit-with-ack", (s, args, ack) -> s.emitWithAck("emit-with-ack", Duration.ofSeconds(5),
                    args.toArray()).thenAccept((List<JsonNode> answer) -> s.emit("emit-with-ack", answer.toArray())));
        });
    }

    private static void echo(EngineSession session) {
        // No authentication step: the session is admitted (no longer pending) at once.
        session.admit();
        session.setListener(new EngineSessionListener() {
            @Override
            public void onMessage(EngineSession s, String text) {
                s.send(EnginePacket.message(text));
            }

            @Override
            public void onBinary(EngineSession s, byte[] data) {
                s.send(EnginePacket.binary(data));
            }

            @Override
            public void onClose(EngineSession s, String reason) {
                // Nothing is kept per session.
            }
        });
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public SocketIoServer socketIo() {
        return socketIo;
    }

    @Override
    public void close() {
        socketIo.close();
        echo.closeAll();
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The router: offers each request to the protocol servers, 404 otherwise. */
    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final SocketIoServer io;
        private final EngineIoServer echo;

        Router(SocketIoServer io, EngineIoServer echo) {
            this.io = io;
            this.echo = echo;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (io.handle(ctx, req) || echo.handle(ctx, req)) {
                return;
            }
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        ConformanceServer server = start("0.0.0.0", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("Conformance server on port " + server.port()
                + ": Socket.IO at /socket.io/, Engine.IO echo at /engine.io/");
        server.channel.closeFuture().sync();
    }
}
