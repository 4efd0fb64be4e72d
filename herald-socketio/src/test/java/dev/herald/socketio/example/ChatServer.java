package dev.herald.socketio.example;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.socketio.ConnectRefusedException;
import dev.herald.socketio.SocketIoConfig;
import dev.herald.socketio.SocketIoNamespace;
import dev.herald.socketio.SocketIoServer;
import dev.herald.socketio.engine.EngineIoConfig;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The embedding example of herald-socketio/README.md, verbatim: a plain Netty server with a
 * Socket.IO namespace {@code /chat} guarded by a middleware, an event with an ack, and a broadcast
 * to a room. It uses only the library's public API (it lives outside its packages on purpose);
 * EmbeddingExampleTest runs it against the official Java client.
 */
public final class ChatServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final SocketIoServer io;

    private ChatServer(EventLoopGroup group, Channel channel, SocketIoServer io) {
        this.group = group;
        this.channel = channel;
        this.io = io;
    }

    public static ChatServer start(String host, int port) throws InterruptedException {
        SocketIoServer io = new SocketIoServer(SocketIoConfig.defaults()
                .withEngine(EngineIoConfig.defaults().withAllowedOrigins(List.of("http://localhost:8080"))));

        SocketIoNamespace chat = io.of("/chat");
        // Middleware: runs on the client's event loop before it joins; must not block.
        chat.use(socket -> {
            JsonNode name = socket.handshake().auth().get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) {
                return CompletableFuture.failedFuture(new ConnectRefusedException("name required"));
            }
            socket.data().put("name", name.asText());
            return CompletableFuture.completedFuture(null);
        });
        chat.onConnection(socket -> {
            // "join" with an ack: the client learns how many are in the room, then everyone in it
            // (the sender included) hears about the newcomer.
            socket.on("join", (s, args, ack) -> {
                String room = args.isEmpty() ? "lobby" : args.get(0).asText();
                s.join(room);
                if (ack != null) {
                    ack.send(room, chat.members(room).size());
                }
                chat.to(room).emit("joined", s.data().get("name"), room);
            });
            socket.onDisconnect((s, reason) -> { /* e.g. log reason */ });
        });

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(),
                                    // At least EngineIoConfig.maxPayload (1,000,000 by default).
                                    new HttpObjectAggregator(1_048_576),
                                    new Router(io));
                        }
                    }).bind(host, port).sync().channel();
            return new ChatServer(group, ch, io);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        io.close(); // every client is told "server shutting down"
        channel.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** Offers every request to Socket.IO first; anything else is the application's (here: 404). */
    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final SocketIoServer io;

        Router(SocketIoServer io) {
            this.io = io;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (io.handle(ctx, request)) {
                return; // under /socket.io/: answered, or taken over as a WebSocket
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
        ChatServer server = start("127.0.0.1", 3000);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("Socket.IO on http://127.0.0.1:" + server.port() + "/chat");
        server.channel.closeFuture().sync();
    }
}
