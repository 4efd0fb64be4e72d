package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cluster broker: nodes exchange stream events through Redis pub/sub, one channel per
 * stream ({@code herald:<prefix>:stream:<stream>}), so a node receives only the streams its
 * connections follow. See docs/cluster.md for the design and its costs.
 *
 * <h2>Guarantees (beyond {@link Broker})</h2>
 * <ul>
 *   <li>An event of a subscribed stream reaches this node's listener exactly once: directly,
 *       on the publisher's thread, when published here; through Redis when published elsewhere. The copy of our
 *       own events that Redis echoes back is recognised by its origin id and dropped.</li>
 *   <li>Publishing never blocks and never buffers without bound: it is one asynchronous
 *       {@code PUBLISH} on a dedicated connection (so one node's events keep their order); while
 *       that connection is down, or more than {@value #PUBLISH_QUEUE} commands are in flight,
 *       the event is dropped and counted. Events are in the store already; once the link is
 *       back a resync hint on {@code herald:<prefix>:control} makes every other node catch up.</li>
 *   <li>{@link #subscribe} completes after Redis answered a {@code PING} sent behind the
 *       {@code SUBSCRIBE} on the same connection: the subscription is in effect. It fails at
 *       once while the pub/sub link is down; the stream is then subscribed when the link
 *       returns, followed by {@link Listener#resynchronize()}.</li>
 *   <li>A lost connection is replaced with capped exponential backoff and full jitter
 *       ({@link FullJitterBackoff}). {@link #isHealthy()} is false until both connections are
 *       back and every current stream is subscribed again.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Thread-safe. The listener is called on the publisher's thread (own events), on a Lettuce
 * I/O thread (remote events) and on a Lettuce executor thread ({@code resynchronize}); it must
 * not block. {@code subscribe}/{@code unsubscribe} take a read lock that is only contended
 * while a reconnect writes the SUBSCRIBE commands of every stream ({@link RedisSubscriptions};
 * no I/O wait).
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    static final int PUBLISH_QUEUE = 16_384;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final String address;
    private final String nodeId;
    private final long origin = new SecureRandom().nextLong();
    private final String streamChannelPrefix;
    private final String controlChannel;
    private final ClientResources resources;
    private final RedisClient publishClient;
    private final RedisClient subscribeClient;
    private final RedisLink<StatefulRedisConnection<String, byte[]>> publishLink;
    private final RedisLink<StatefulRedisPubSubConnection<String, byte[]>> subscribeLink;

    private final RedisSubscriptions subscriptions;

    private final AtomicBoolean resyncHintOwed = new AtomicBoolean();
    private final AtomicBoolean resyncScheduled = new AtomicBoolean();
    private final AtomicBoolean dropLogged = new AtomicBoolean();
    private final Set<String> loggedMalformedKinds = ConcurrentHashMap.newKeySet();
    private final LongAdder droppedPublishes = new LongAdder();
    private final LongAdder malformedMessages = new LongAdder();
    private final LongAdder resynchronizations = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;
    private volatile ScheduledFuture<?> hintTimer;

    /**
     * @param uri     the Redis server; connections get a 5 s command timeout and a client name
     * @param prefix  names this Herald cluster's channels, so clusters can share a Redis
     * @param nodeId  for logs and resync hints
     * @param backoff reconnect delays
     */
    RedisBroker(RedisURI uri, String prefix, String nodeId, Delay backoff) {
        this.address = uri.getHost() + ":" + uri.getPort();
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.streamChannelPrefix = "herald:" + prefix + ":stream:";
        this.controlChannel = "herald:" + prefix + ":control";
        RedisURI publishUri = named(uri, prefix, nodeId, "publish");
        RedisURI subscribeUri = named(uri, prefix, nodeId, "subscribe");
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1).build();
        // Two clients because their bounds differ: the publish queue is the drop threshold.
        this.publishClient = RedisClient.create(resources, publishUri);
        this.publishClient.setOptions(options(PUBLISH_QUEUE));
        this.subscribeClient = RedisClient.create(resources, subscribeUri);
        this.subscribeClient.setOptions(options(65_536)); // small commands; a burst of new streams must fit
        this.publishLink = new RedisLink<>("publish", address,
                () -> publishClient.connectAsync(CODEC, publishUri), backoff, resources.eventExecutorGroup(), new PublishHooks());
        this.subscribeLink = new RedisLink<>("subscribe", address,
                () -> subscribeClient.connectPubSubAsync(CODEC, subscribeUri), backoff, resources.eventExecutorGroup(),
                new SubscribeHooks());
        this.subscriptions = new RedisSubscriptions(streamChannelPrefix, controlChannel, address, subscribeLink::lost);
    }

    /** Names the connection in CLIENT LIST, so an operator sees which node and role holds it. */
    static RedisURI named(RedisURI uri, String prefix, String nodeId, String role) {
        String name = ("herald:" + prefix + ":" + nodeId + ":" + role).replaceAll("[^A-Za-z0-9_.:-]", "_");
        RedisURI copy = RedisURI.builder(uri).withClientName(name).build();
        copy.setTimeout(COMMAND_TIMEOUT);
        return copy;
    }

    private static ClientOptions options(int queue) {
        return ClientOptions.builder()
                .autoReconnect(false) // RedisLink replaces lost connections itself
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(queue)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofSeconds(2))
                        // A silent peer (cable pulled, VM paused) must end the connection in seconds, not hours.
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                                .idle(Duration.ofSeconds(5)).interval(Duration.ofSeconds(2)).count(3).build())
                        .tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                                .tcpUserTimeout(Duration.ofSeconds(15)).build())
                        .build())
                .build();
    }

    @Override
    public void start(Listener listener) {
        if (closed.get()) {
            throw new IllegalStateException("broker closed");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        hintTimer = resources.eventExecutorGroup().scheduleWithFixedDelay(this::sendResyncHintIfOwed, 1, 1, TimeUnit.SECONDS);
        publishLink.start();
        subscribeLink.start();
    }

    @Override
    public CompletableFuture<Void> subscribe(String stream) {
        return subscriptions.subscribe(stream);
    }

    @Override
    public void unsubscribe(String stream) {
        subscriptions.unsubscribe(stream);
    }

    @Override
    public void publish(StreamEvent event) {
        Listener l = listener;
        if (l == null) {
            if (closed.get()) {
                return; // shutting down: a late commit must not fail; the store has the event
            }
            throw new IllegalStateException("broker not started");
        }
        if (subscriptions.contains(event.stream())) {
            deliver(l, event);
        }
        StatefulRedisConnection<String, byte[]> conn = publishLink.usable();
        if (conn == null) {
            dropped(null);
            return;
        }
        try {
            conn.async().publish(streamChannelPrefix + event.stream(), StreamEventCodec.encode(event, origin))
                    .whenComplete((receivers, failure) -> {
                        if (failure != null) {
                            dropped(failure);
                        }
                    });
        } catch (RuntimeException e) {
            dropped(e);
        }
    }

    @Override
    public boolean isHealthy() {
        return !closed.get() && publishLink.isUp() && subscribeLink.isUp();
    }

    /** Events not sent to Redis (link down or queue full) since start. */
    public long droppedPublishes() {
        return droppedPublishes.sum();
    }

    /** Messages from Redis that could not be decoded and were dropped. */
    public long malformedMessages() {
        return malformedMessages.sum();
    }

    /** Times the listener was asked to catch up from the store. */
    public long resynchronizations() {
        return resynchronizations.sum();
    }

    /** Releases both connections and the I/O threads; returns within about 5 s whatever Redis does. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> timer = hintTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        listener = null;
        await(CompletableFuture.allOf(publishLink.close(), subscribeLink.close()), 2);
        await(publishClient.shutdownAsync(0, 1, TimeUnit.SECONDS), 2);
        await(subscribeClient.shutdownAsync(0, 1, TimeUnit.SECONDS), 2);
        try {
            resources.shutdown(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CompletableFuture<?> future, long seconds) {
        try {
            future.get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("close: {}", e.toString());
        }
    }

    // ---- receiving ----

    private void onMessage(String channel, byte[] message) {
        Listener l = listener;
        if (l == null) {
            return;
        }
        if (channel.equals(controlChannel)) {
            onControl(message);
            return;
        }
        StreamEventCodec.Decoded decoded;
        try {
            decoded = StreamEventCodec.decode(message);
        } catch (StreamEventCodec.MalformedMessageException e) {
            malformed(e.kind(), channel, e.getMessage());
            return;
        }
        if (decoded.origin() == origin) {
            return; // delivered directly when it was published
        }
        String stream = decoded.event().stream();
        if (channel.length() != streamChannelPrefix.length() + stream.length() || !channel.endsWith(stream)
                || !channel.startsWith(streamChannelPrefix)) {
            malformed("channel-mismatch", channel, "event for stream " + stream);
            return;
        }
        deliver(l, decoded.event());
    }

    private void onControl(byte[] message) {
        StreamEventCodec.ResyncHint hint;
        try {
            hint = StreamEventCodec.decodeResyncHint(message);
        } catch (StreamEventCodec.MalformedMessageException e) {
            malformed(e.kind(), controlChannel, e.getMessage());
            return;
        }
        if (hint.origin() != origin) {
            log.info("node {} dropped events while its Redis link was down: catching up from the store", hint.nodeId());
            requestResync(100);
        }
    }

    private void deliver(Listener l, StreamEvent event) {
        try {
            l.onEvent(event);
        } catch (RuntimeException e) {
            log.error("listener failed on {}#{}", event.stream(), event.seq(), e);
        }
    }

    private void malformed(String kind, String channel, String detail) {
        malformedMessages.increment();
        if (loggedMalformedKinds.add(kind)) {
            log.warn("dropping undecodable message on {} ({}): {}; further ones of this kind are only counted",
                    channel, kind, detail);
        }
    }

    /** Runs {@code resynchronize()} once after {@code delayMillis}; requests meanwhile fold into it. */
    private void requestResync(long delayMillis) {
        if (closed.get() || !resyncScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            resources.eventExecutorGroup().schedule(() -> {
                resyncScheduled.set(false);
                Listener l = listener;
                if (l != null) {
                    resynchronizations.increment();
                    try {
                        l.resynchronize();
                    } catch (RuntimeException e) {
                        log.error("listener failed to resynchronize", e);
                    }
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resyncScheduled.set(false); // closing: nobody left to catch up
        }
    }

    // ---- publishing ----

    private void dropped(Throwable failure) {
        droppedPublishes.increment();
        resyncHintOwed.set(true);
        if (dropLogged.compareAndSet(false, true)) {
            log.warn("dropping published events: {}; other nodes will catch up from the store when the link is back",
                    failure == null ? "no connection to Redis at " + address : RedisLink.describe(failure));
        }
    }

    private void sendResyncHintIfOwed() {
        StatefulRedisConnection<String, byte[]> conn = publishLink.usable();
        if (conn == null || !resyncHintOwed.getAndSet(false)) {
            return;
        }
        dropLogged.set(false);
        conn.async().publish(controlChannel, StreamEventCodec.encodeResyncHint(origin, nodeId))
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        resyncHintOwed.set(true);
                    }
                });
    }

    private final class PublishHooks implements RedisLink.Hooks<StatefulRedisConnection<String, byte[]>> {
        @Override
        public CompletableFuture<String> prepare(StatefulRedisConnection<String, byte[]> connection) {
            return connection.async().ping().toCompletableFuture();
        }

        @Override
        public void up(StatefulRedisConnection<String, byte[]> connection) {
            sendResyncHintIfOwed();
        }
    }

    private final class SubscribeHooks implements RedisLink.Hooks<StatefulRedisPubSubConnection<String, byte[]>> {
        @Override
        public CompletableFuture<Void> prepare(StatefulRedisPubSubConnection<String, byte[]> connection) {
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    onMessage(channel, message);
                }
            });
            return subscriptions.takeOver(connection);
        }

        @Override
        public void up(StatefulRedisPubSubConnection<String, byte[]> connection) {
            // Events published while no connection listened are only in the store.
            requestResync(0);
        }
    }
}
