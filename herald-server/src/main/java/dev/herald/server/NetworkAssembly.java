package dev.herald.server;

import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.HeraldStartupException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The node's Netty side: the accepting loop, the I/O (worker) loops, the listening socket, and
 * every connection it accepted, so that shutdown can close each of them itself.
 *
 * <p>Why closing them itself: a Netty loop closes its channels when it shuts down only if the
 * shutdown finds it waiting for I/O; one that is running tasks at that moment (with a zero quiet
 * period) ends without closing them, and those connections stay open, unread, for the life of the
 * process. So {@link #close()} closes every accepted connection while the loops still run, then
 * stops the loops.
 *
 * <p>{@link #create} and {@link #bind} run on the starting thread; {@link #stopAccepting()} and
 * {@link #close()} on the closing one (never on a loop: they wait for the loops).
 */
final class NetworkAssembly {
    /** One listening socket needs one thread to accept on it. */
    static final int ACCEPT_THREADS = 1;
    /**
     * Connections the kernel may hold complete but not yet accepted: room for a reconnect storm
     * after a node restart (the kernel caps it at {@code net.core.somaxconn}).
     */
    static final int ACCEPT_BACKLOG = 4096;
    /**
     * How long shutdown waits for one loop to run a task it queued (the answers of drained
     * requests, the closing of the connections): a loop that does not run it meanwhile is wedged,
     * and shutdown goes on without it.
     */
    static final Duration LOOP_TASK_WAIT = Duration.ofSeconds(1);
    /**
     * No quiet period when the loops stop: nothing new can reach them by then (the listener is
     * closed, every connection closed), so waiting for silence would only delay the exit.
     */
    static final Duration LOOP_QUIET_PERIOD = Duration.ZERO;
    /** At most this long for a loop group to stop, whatever its tasks still do. */
    static final Duration LOOP_SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    /** Every connection accepted and not yet closed (closed ones leave the group by themselves). */
    private final ChannelGroup accepted = new DefaultChannelGroup("herald-accepted", GlobalEventExecutor.INSTANCE);
    // Set once by bind(), on the starting thread, before start() returns; read by any thread.
    private volatile Channel listener;
    private volatile int port;

    private NetworkAssembly(EventLoopGroup acceptor, EventLoopGroup io) {
        this.acceptor = acceptor;
        this.io = io;
    }

    /** The loops, with no thread started yet: epoll where the native transport loads, else NIO. */
    static NetworkAssembly create(HeraldConfig config) {
        IoHandlerFactory handler = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int ioThreads = config.eventLoops() == 0 ? Runtime.getRuntime().availableProcessors() : config.eventLoops();
        return new NetworkAssembly(new MultiThreadIoEventLoopGroup(ACCEPT_THREADS, handler),
                new MultiThreadIoEventLoopGroup(ioThreads, handler));
    }

    /** The I/O loops, which own the connections (health checks probe each one). */
    Iterable<EventExecutor> ioLoops() {
        return io;
    }

    /**
     * Listens on the configured address; each accepted connection is tracked, then set up by
     * {@code connection}.
     *
     * @throws HeraldStartupException when the port is taken or the address unusable
     */
    void bind(HeraldConfig config, ChannelHandler connection) {
        Class<? extends ServerChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        int cap = config.outboundCapBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, io)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Writable again at half the cap: a connection near it does not flip on every write.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(cap / 2, cap))
                // Netty's default, but one instance for all connections instead of one each (it
                // holds only settings; each channel still gets its own handle).
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(connection);
                    }
                });
        try {
            listener = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            if (e instanceof BindException || String.valueOf(e.getMessage()).contains("Address already in use")) {
                throw new HeraldStartupException("port " + config.port() + " on " + config.host()
                        + " is already in use; stop the other process or choose another with --port", e);
            }
            throw new HeraldStartupException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound port (the real one when configured with port 0); 0 before {@link #bind}. */
    int port() {
        return port;
    }

    /** Closes the listening socket; connections already accepted stay open. */
    void stopAccepting() {
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
    }

    /**
     * Lets every loop run what is queued on it (the answers of requests drained before), closes
     * every accepted connection, then stops the loops. Call after {@link #stopAccepting()}.
     */
    void close() throws InterruptedException {
        // A loop closes its channels as soon as it shuts down, before its queued tasks: wait
        // until every loop has run the answer writes queued by the drained requests.
        for (EventExecutor loop : io) {
            loop.submit(() -> { }).await(LOOP_TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        accepted.close().await(LOOP_TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        io.shutdownGracefully(LOOP_QUIET_PERIOD.toMillis(), LOOP_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .syncUninterruptibly();
        acceptor.shutdownGracefully(LOOP_QUIET_PERIOD.toMillis(), LOOP_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .syncUninterruptibly();
    }
}
