package dev.herald.server;

import dev.herald.server.config.HeraldStartupException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.ApiKeyAuthenticator;
import dev.herald.server.auth.JwtVerifier;
import dev.herald.server.broker.Broker;
import dev.herald.server.broker.Brokers;
import dev.herald.server.chat.ChatLog;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.ChatSettings;
import dev.herald.server.chat.ChatStore;
import dev.herald.server.chat.CreationQuota;
import dev.herald.server.chat.ClusterConversationViewers;
import dev.herald.server.cluster.NodeDirectory;
import dev.herald.server.cluster.RedisNodeDirectory;
import dev.herald.server.chat.TypingTracker;
import dev.herald.server.chat.jdbc.JdbcChatStore;
import dev.herald.server.chat.jdbc.JdbcPresenceStore;
import dev.herald.server.config.DataDirectory;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.CommitForwarder;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.notify.NotificationLog;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.store.Store;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.store.jdbc.JdbcStore;
import dev.herald.server.stream.Streams;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.api.BackendRoutes;
import dev.herald.server.transport.http.BodyBudget;
import dev.herald.server.api.ChatRoutes;
import dev.herald.server.transport.http.ConnectionLimiter;
import dev.herald.server.api.NodeHealth;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.api.DevRoutes;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.HttpServerInitializer;
import dev.herald.server.api.NodeRoutes;
import dev.herald.server.api.NotificationRoutes;
import dev.herald.server.transport.http.Route;
import dev.herald.server.transport.socketio.SocketIoEndpoint;
import dev.herald.server.transport.sse.SseEndpoint;
import dev.herald.server.transport.web.StaticEndpoint;
import dev.herald.server.transport.ws.ChatSocket;
import dev.herald.server.transport.ws.NotificationSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Herald node: assembles store, broker, delivery core, transports and HTTP API from a
 * {@link HeraldConfig}, and owns their lifecycle.
 *
 * <p>{@link #start()} binds the port and returns once the node accepts connections;
 * {@link #close()} tells connected clients to reconnect elsewhere (close code 1001), finishes
 * pending store writes and releases everything. Thread-safe.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

    /**
     * How long a user stays "online" after their last socket closed: a page reload or a brief
     * network change reconnects well within it, so partners see no offline/online flicker.
     */
    static final Duration PRESENCE_GRACE = Duration.ofSeconds(5);
    /**
     * Partners told of one user's presence change at most: a user in more conversations than
     * this is an app's bot or support account, whose presence nobody watches one by one; the
     * bound keeps one status change from becoming an unbounded fanout.
     */
    static final int MAX_PRESENCE_PARTNERS = 10_000;
    /** How often typing rate buckets that refilled completely are dropped (memory follows typists). */
    static final Duration TYPING_PURGE_INTERVAL = Duration.ofSeconds(60);

    /** How long {@link #close()} waits for requests already being handled (publishes wait at most 15 s on a commit). */
    private static final Duration IN_FLIGHT_DRAIN = Duration.ofSeconds(5);

    private final HeraldConfig config;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int port;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private ExecutorService blocking;
    private Store store;
    private Broker broker;
    private SessionRegistry sessions;
    private HeraldMetrics metrics;
    private NodeDirectory directory;
    private ScheduledExecutorService chatTimers;
    private JdbcChatStore chatStore;

    public HeraldServer(HeraldConfig config) {
        this.config = config;
    }

    /**
     * Starts the node.
     *
     * @throws HeraldStartupException with an operator-readable message when the port is in use,
     *                                the data dir is unusable or the store cannot be opened
     */
    public synchronized HeraldServer start() {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        try {
            prepareDataDir(config.dataDir());
            metrics = new HeraldMetrics();
            blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("herald-blocking-", 0).factory());
            try {
                broker = Brokers.create(config.brokerUrl(), config.nodeId());
            } catch (IllegalArgumentException e) {
                throw new HeraldStartupException("invalid --broker: " + e.getMessage(), e);
            }
            metrics.bindBroker(broker);
            JdbcStore jdbcStore;
            try {
                jdbcStore = JdbcStore.open(config.storeUrl(), config.dataDir(), new CommitForwarder(broker), metrics.registry());
                store = jdbcStore;
            } catch (StoreUnavailableException e) {
                throw new HeraldStartupException(e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new HeraldStartupException("invalid --store: " + e.getMessage(), e);
            }
            NotificationService notifications = new NotificationService(store, broker, blocking);
            sessions = new SessionRegistry();
            // Chat shares the notification store's pool; its tables come from migration V100.
            chatStore = new JdbcChatStore(jdbcStore.dataSource());
            chatStore.bindMetrics(metrics.registry());
            chatTimers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-chat-timers").daemon().factory());
            ChatSettings chatSettings = ChatSettings.defaults();
            TypingTracker typing = new TypingTracker(chatSettings, chatTimers, System::nanoTime);
            chatTimers.scheduleAtFixedRate(typing::purgeIdleBuckets, TYPING_PURGE_INTERVAL.toSeconds(),
                    TYPING_PURGE_INTERVAL.toSeconds(), TimeUnit.SECONDS);
            directory = config.brokerUrl() == null ? NodeDirectory.local()
                    : new RedisNodeDirectory(config.brokerUrl(), config.nodeId());
            ChatService chat = new ChatService(chatStore, broker, new ClusterConversationViewers(directory), typing,
                    (users, notification, key) -> notifications.publish(new PublishCommand(
                            users.stream().map(Streams::user).toList(), false, "new_message", notification), key, key),
                    chatSettings);
            PresenceTracker presence = new PresenceTracker(new JdbcPresenceStore(jdbcStore.dataSource()),
                    user -> chatStore.partnersOf(user, MAX_PRESENCE_PARTNERS), user -> sessions.countOfUser(user) > 0,
                    broker, chatTimers, blocking, PRESENCE_GRACE, Clock.systemUTC());
            presence.useDirectory(directory);
            sessions.addListener(presence);
            DeliveryHub hub = new DeliveryHub(ChatLog.routing(new ChatLog(chatStore), new NotificationLog(store)),
                    broker, blocking, NotificationFrames::unreadCountAfter, metrics);
            broker.start(hub);
            ObjectMapper json = new ObjectMapper();
            TransportContext context = new TransportContext(config, json, new JwtVerifier(config),
                    new ApiKeyAuthenticator(config.apiKeys()), store, broker, notifications, hub, sessions, metrics, blocking,
                    new OriginPolicy(config.corsOrigins()));
            createEventLoops();

            // Without a per-address cap (behind a proxy every client shares one address) anonymous
            // Socket.IO sessions are capped only in total.
            int pendingPerAddress = config.maxConnectionsPerIp() == 0 ? SocketIoEndpoint.DEFAULT_MAX_PENDING_SESSIONS
                    : Math.min(SocketIoEndpoint.DEFAULT_MAX_PENDING_PER_ADDRESS, config.maxConnectionsPerIp());
            List<HttpEndpoint> endpoints = List.of(new SocketIoEndpoint(context, chat, presence,
                            pendingPerAddress, SocketIoEndpoint.DEFAULT_MAX_PENDING_SESSIONS),
                    NotificationSocket.endpoint(context),
                    ChatSocket.endpoint(context, chat, presence), new SseEndpoint(context),
                    new StaticEndpoint(json, blocking));
            List<Route> routes = new ArrayList<>();
            NodeHealth health = new NodeHealth(workerGroup, ByteBufAllocator.DEFAULT, store, broker);
            routes.addAll(new NodeRoutes(config.nodeId(), health, metrics).routes());
            routes.addAll(new BackendRoutes(sessions).routes());
            if (config.devMode() && config.jwtSecret() != null) {
                routes.addAll(new DevRoutes(config.jwtSecret(), json, notifications, config.maxNotificationBytes(), presence).routes());
                log.warn("development mode: /api/v1/dev/token mints tokens for anyone (also dev/notify-me, dev/presence); never use --dev in production");
            }
            routes.addAll(new NotificationRoutes(notifications, json, config.maxNotificationBytes(), metrics::published).routes());
            routes.addAll(new ChatRoutes(chat, presence, json,
                    new CreationQuota(config.maxNewConversationsPerHour(), System::currentTimeMillis)).routes());
            ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerIp(), metrics);
            log.info("connection limits: total={} per_address={} per_user={} request_timeout={}ms", limiter.maxTotal(),
                    config.maxConnectionsPerIp() == 0 ? "none" : config.maxConnectionsPerIp(),
                    config.maxConnectionsPerUser() == 0 ? "none" : config.maxConnectionsPerUser(),
                    config.requestTimeout().toMillis());
            BodyBudget bodies = BodyBudget.ofHeap();
            metrics.registry().gauge("herald.http.body.bytes.in.flight", bodies, BodyBudget::used);
            bind(new HttpServerInitializer(context, endpoints, routes, limiter, bodies));
            log.info("node={} listening on {}:{} store={} broker={}", config.nodeId(), config.host(), port,
                    config.storeUrl() == null ? "h2:" + config.dataDir().toAbsolutePath() : "external",
                    config.brokerUrl() == null ? "in-process" : config.brokerUrl());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void createEventLoops() {
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    }

    private void bind(HttpServerInitializer initializer) {
        Class<? extends ServerChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        int cap = config.outboundCapBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(cap / 2, cap))
                // Netty's default, but one instance for all connections instead of one each (it
                // holds only settings; each channel still gets its own handle).
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(initializer);
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            if (e instanceof BindException || String.valueOf(e.getMessage()).contains("Address already in use")) {
                throw new HeraldStartupException("port " + config.port() + " on " + config.host()
                        + " is already in use; stop the other process or choose another with --port", e);
            }
            throw new HeraldStartupException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Creates the data dir owner-only and checks it is usable (see {@link DataDirectory}). */
    private static void prepareDataDir(Path dir) {
        DataDirectory.prepare(dir);
    }

    /** The bound port (the real one when configured with port 0). */
    public int port() {
        return port;
    }

    public HeraldConfig config() {
        return config;
    }

    /** The connections open on this node (null before {@link #start()}). */
    public SessionRegistry sessions() {
        return sessions;
    }

    /** Blocks until {@link #close()} completes (e.g. from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Graceful shutdown: stop accepting, tell clients to reconnect and resume (1001), let the
     * requests being handled finish and be answered (at most 5 s), let pending publishes
     * commit, then release the store, broker and threads. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            if (sessions != null && sessions.size() > 0) {
                log.info("closing {} connections for shutdown", sessions.size());
                sessions.closeAll(CloseReason.SHUTDOWN);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (sessions.size() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            if (blocking != null) {
                // Requests already being handled (a publish waiting for its commit) finish and
                // hand their answers to the loops, which still run: a committed publish is
                // answered, not dropped with its connection. A request arriving from now on (on a
                // kept-alive connection) cannot be handed off: the router answers it 503.
                blocking.shutdown();
                if (!blocking.awaitTermination(IN_FLIGHT_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("requests still running {} after shutdown began; closing their connections", IN_FLIGHT_DRAIN);
                }
            }
            if (workerGroup != null) {
                // A loop closes its channels as soon as it shuts down, before its queued tasks:
                // wait until every loop has run the answer writes queued by those requests.
                for (EventExecutor loop : workerGroup) {
                    loop.submit(() -> { }).await(1, TimeUnit.SECONDS);
                }
            }
            if (workerGroup != null) {
                workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (bossGroup != null) {
                bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (chatTimers != null) {
                chatTimers.shutdownNow();
            }
            if (directory != null) {
                directory.close();
            }
            if (chatStore != null) {
                chatStore.close(); // commits the chat sends still queued, while the pool is open
            }
            if (store != null) {
                store.close();
            }
            if (broker != null) {
                broker.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminated.countDown();
            log.info("node={} stopped", config.nodeId());
        }
    }
}
