package dev.herald.server.metrics;

import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.broker.Broker;
import dev.herald.server.broker.RedisBroker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's Prometheus metrics. Names as scraped from {@code /metrics}:
 * {@code herald_connections}, {@code herald_frames_in_total}, {@code herald_frames_out_total},
 * {@code herald_publishes_total}, {@code herald_delivery_latency_seconds} (commit to socket
 * write, live deliveries only), {@code herald_slow_consumers_total},
 * {@code herald_delivery_overflows_total} and {@code herald_delivery_overflow_resyncs_total} (an
 * event loop that fell behind, and the subscriptions it sent back to the store),
 * {@code herald_store_latency_seconds} (per store operation), {@code herald_edge_refused_total}
 * (requests and connections refused at the edge, by {@code reason}: {@code origin},
 * {@code connections_total}, {@code connections_per_ip}, {@code request_timeout}),
 * {@code herald_tcp_connections} (open TCP connections of any kind), plus JVM and process metrics.
 *
 * <p>Thread-safe; recording is lock-free and cheap enough for the event loops.
 */
public final class HeraldMetrics implements DeliveryHub.DeliveryListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong wsConnections = new AtomicLong();
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter publishes;
    private final Counter slowConsumers;
    private final Counter overflows;
    private final Counter overflowResyncs;
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> refusedByReason =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer deliveryLatency;
    /**
     * One live delivery in this many is timed. Recording every one cost the event loops 9% of their
     * Java samples in fanout (the histogram's shared buckets, updated from every loop); sampled, the
     * percentiles stay representative and the fanout benchmark delivers 6-22% more (docs/benchmarks.md,
     * issue 13, item 30).
     */
    static final int LATENCY_SAMPLE = 8;

    public HeraldMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Gauge.builder("herald.connections", wsConnections, AtomicLong::get)
                .description("Open client connections").tag("transport", "websocket").register(registry);
        framesIn = Counter.builder("herald.frames.in").description("Frames received from clients").register(registry);
        framesOut = Counter.builder("herald.frames.out").description("Frames written to clients").register(registry);
        publishes = Counter.builder("herald.publishes").description("Notifications stored by publish requests").register(registry);
        slowConsumers = Counter.builder("herald.slow.consumers")
                .description("Connections closed because their outbound queue hit the cap").register(registry);
        overflows = Counter.builder("herald.delivery.overflows")
                .description("Times an event loop fell too far behind and dropped its queued events").register(registry);
        overflowResyncs = Counter.builder("herald.delivery.overflow.resyncs")
                .description("Subscriptions sent back to the store because their loop dropped events for them")
                .register(registry);
        deliveryLatency = Timer.builder("herald.delivery.latency")
                .description("Time from commit to the write of a live event to a socket, for one live delivery in "
                        + LATENCY_SAMPLE + " picked at random")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /**
     * Broker health and, for Redis, its loss counters: {@code herald_broker_up},
     * {@code herald_broker_dropped_publishes_total}, {@code herald_broker_malformed_messages_total},
     * {@code herald_broker_resynchronizations_total}.
     */
    public void bindBroker(Broker broker) {
        Gauge.builder("herald.broker.up", broker, b -> b.isHealthy() ? 1 : 0)
                .description("1 while the link to the broker is up").register(registry);
        if (broker instanceof RedisBroker redis) {
            FunctionCounter.builder("herald.broker.dropped.publishes", redis, RedisBroker::droppedPublishes)
                    .description("Events not sent to Redis (link down or backlog full); subscribers catch up from the store")
                    .register(registry);
            FunctionCounter.builder("herald.broker.malformed.messages", redis, RedisBroker::malformedMessages)
                    .description("Undecodable messages received from Redis").register(registry);
            FunctionCounter.builder("herald.broker.resynchronizations", redis, RedisBroker::resynchronizations)
                    .description("Times this node sent its subscriptions back to the store").register(registry);
        }
    }

    /** For components that register their own meters (the store). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened() {
        wsConnections.incrementAndGet();
    }

    public void connectionClosed() {
        wsConnections.decrementAndGet();
    }

    public long connections() {
        return wsConnections.get();
    }

    public void frameIn() {
        framesIn.increment();
    }

    public void frameOut() {
        framesOut.increment();
    }

    public void published(int count) {
        publishes.increment(count);
    }

    @Override
    public void delivered(StreamEvent event, boolean live) {
        if (live && java.util.concurrent.ThreadLocalRandom.current().nextInt(LATENCY_SAMPLE) == 0) {
            long ms = System.currentTimeMillis() - event.createdAtMillis();
            deliveryLatency.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
        }
    }

    /** Counts one request, connection or client frame refused at the edge, for {@code reason}. */
    public void refused(String reason) {
        // Called per refused request in a flood: look the counter up once per reason.
        refusedByReason.computeIfAbsent(reason, r -> Counter.builder("herald.edge.refused")
                .description("Requests, connections and client frames refused at the edge").tag("reason", r).register(registry))
                .increment();
    }

    /** Reports the node's open TCP connections (all kinds, before any authentication). */
    public void bindTcpConnections(java.util.function.Supplier<Number> open) {
        Gauge.builder("herald.tcp.connections", open).description("Open TCP connections, of every kind")
                .register(registry);
    }

    @Override
    public void slowConsumer(Session session) {
        slowConsumers.increment();
    }

    @Override
    public void fellBehind(int resynchronized) {
        overflows.increment();
        overflowResyncs.increment(resynchronized);
    }
}
