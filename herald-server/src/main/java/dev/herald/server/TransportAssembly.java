package dev.herald.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.api.BackendRoutes;
import dev.herald.server.api.ChatRoutes;
import dev.herald.server.api.DevRoutes;
import dev.herald.server.api.NodeHealth;
import dev.herald.server.api.NodeRoutes;
import dev.herald.server.api.InboxRoutes;
import dev.herald.server.api.NotificationRoutes;
import dev.herald.server.api.PreferenceRoutes;
import dev.herald.server.api.PushRoutes;
import dev.herald.server.auth.ApiKeyAuthenticator;
import dev.herald.server.auth.JwtVerifier;
import dev.herald.server.broker.Broker;
import dev.herald.server.chat.CreationQuota;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.memory.ByteBudget;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.ConnectionLimiter;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.HttpServerInitializer;
import dev.herald.server.transport.http.Route;
import dev.herald.server.transport.socketio.SocketIoEndpoint;
import dev.herald.server.transport.sse.SseEndpoint;
import dev.herald.server.transport.web.StaticEndpoint;
import dev.herald.server.transport.ws.ChatSocket;
import dev.herald.server.transport.ws.NotificationSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * What a connection meets: the long-lived endpoints (Socket.IO, WebSocket, SSE, the static web
 * client) and the HTTP API's route table behind the connection limits, as one pipeline
 * initializer. Holds nothing to close: the connections belong to the loops.
 */
final class TransportAssembly {
    private static final Logger log = LoggerFactory.getLogger(TransportAssembly.class);

    private TransportAssembly() {
    }

    /**
     * @param ioLoops the loops that own the connections, probed by {@code /healthz}
     */
    static HttpServerInitializer assemble(HeraldConfig config, HeraldMetrics metrics, ExecutorService blocking,
                                          Broker broker, StoreAssembly stores, NotificationService notifications,
                                          DeliveryAssembly delivery, ChatAssembly chat, PushAssembly push,
                                          Iterable<EventExecutor> ioLoops) {
        ObjectMapper json = new ObjectMapper();
        TransportContext context = new TransportContext(config, json, new JwtVerifier(config),
                new ApiKeyAuthenticator(config.apiKeys()), notifications, delivery.hub(),
                delivery.sessions(), metrics, blocking, new OriginPolicy(config.corsOrigins()));
        // Without a per-address cap (behind a proxy every client shares one address) anonymous
        // Socket.IO sessions are capped only in total.
        int pendingPerAddress = config.maxConnectionsPerIp() == 0 ? SocketIoEndpoint.DEFAULT_MAX_PENDING_SESSIONS
                : Math.min(SocketIoEndpoint.DEFAULT_MAX_PENDING_PER_ADDRESS, config.maxConnectionsPerIp());
        List<HttpEndpoint> endpoints = List.of(new SocketIoEndpoint(context, chat.chat(), chat.presence(),
                        pendingPerAddress, SocketIoEndpoint.DEFAULT_MAX_PENDING_SESSIONS),
                NotificationSocket.endpoint(context),
                ChatSocket.endpoint(context, chat.chat(), chat.presence()), new SseEndpoint(context),
                new StaticEndpoint(json, blocking));
        NodeHealth health = new NodeHealth(ioLoops, ByteBufAllocator.DEFAULT, stores.notifications(), broker);
        List<Route> routes = apiRoutes(config, json, metrics, health, notifications, delivery, chat, push, blocking);
        ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerIp(), metrics);
        log.info("connection limits: total={} per_address={} per_user={} request_timeout={}ms", limiter.maxTotal(),
                config.maxConnectionsPerIp() == 0 ? "none" : config.maxConnectionsPerIp(),
                config.maxConnectionsPerUser() == 0 ? "none" : config.maxConnectionsPerUser(),
                config.requestTimeout().toMillis());
        // Request bodies in flight, all connections together: a quarter of the maximum heap
        // (Netty's direct memory defaults to the same size), so they never take more than a
        // quarter of either.
        ByteBudget bodies = new ByteBudget(Math.max(16L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4));
        metrics.registry().gauge("herald.http.body.bytes.in.flight", bodies, ByteBudget::used);
        return new HttpServerInitializer(context, endpoints, routes, limiter, bodies);
    }

    /** The HTTP API: node (health, metrics), backend, development (with --dev), notifications, push, chat. */
    private static List<Route> apiRoutes(HeraldConfig config, ObjectMapper json, HeraldMetrics metrics, NodeHealth health,
                                         NotificationService notifications, DeliveryAssembly delivery, ChatAssembly chat,
                                         PushAssembly push, java.util.concurrent.Executor blocking) {
        List<Route> routes = new ArrayList<>();
        routes.addAll(new NodeRoutes(config.nodeId(), health, metrics).routes());
        routes.addAll(new BackendRoutes(delivery.sessions()).routes());
        if (config.devMode() && config.jwtSecret() != null) {
            routes.addAll(new DevRoutes(config.jwtSecret(), json, notifications, config.maxNotificationBytes(),
                    chat.presence()).routes());
            log.warn("development mode: /api/v1/dev/token mints tokens for anyone (also dev/notify-me, dev/presence); never use --dev in production");
        }
        routes.addAll(new NotificationRoutes(notifications, json, config.maxNotificationBytes(), metrics::published,
                blocking).routes());
        routes.addAll(new InboxRoutes(notifications, json).routes());
        routes.addAll(new PreferenceRoutes(notifications, json).routes());
        routes.addAll(new PushRoutes(push.service(), json).routes());
        routes.addAll(new ChatRoutes(chat.chat(), chat.presence(), json,
                new CreationQuota(config.maxNewConversationsPerHour(), System::currentTimeMillis)).routes());
        return routes;
    }
}
