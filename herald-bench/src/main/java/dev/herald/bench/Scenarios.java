package dev.herald.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The five scenarios of issue 7, run against one target. Each opens its clients, drives the
 * load, writes its figures to {@link Results} and drops its clients before returning. Runs on
 * the caller's thread; client I/O runs on {@code clientLoops}, publishing on {@code publishLoops}.
 */
final class Scenarios {

    private static final int IN_FLIGHT = 256;
    private static final int SOURCES = 8;
    /**
     * Concurrent publishers in fanout: enough that the K publishes form a burst on every server
     * (with 4, a server whose event loop is busy delivering slows its own publishers down and the
     * burst spreads out, which flatters its latency).
     */
    private static final int FANOUT_PUBLISHERS = 16;

    private final Target target;
    private final URI base;
    private final List<URI> clientUrls;
    private final Jwt jwt;
    private final ServerProbe probe;
    /** Where figures go; swapped for a muted one during the warm-up. */
    private Results results;
    private final EventLoopGroup clientLoops;
    private final Publisher publisher;

    Scenarios(Target target, URI base, List<URI> clientUrls, String apiKey, Jwt jwt, ServerProbe probe, Results results,
              EventLoopGroup clientLoops, EventLoopGroup publishLoops) {
        this.target = target;
        this.base = base;
        this.clientUrls = List.copyOf(clientUrls);
        this.jwt = jwt;
        this.probe = probe;
        this.results = results;
        this.clientLoops = clientLoops;
        this.publisher = new Publisher(publishLoops, base, target, apiKey);
    }

    private ClientPool.Connected connect(LoadContext ctx, List<Target.Subscription> subs, String scenario) {
        ClientPool.Connected c = new ClientPool(target, clientUrls, SOURCES, ctx, jwt).connect(subs, IN_FLIGHT, 180);
        if (c.refused() > 0) {
            results.note(scenario, c.refused() + " connects refused (retried after 1 s); " + c.failed() + " of "
                    + subs.size() + " clients never connected; first refusal: " + c.firstFailure());
        }
        results.lower(scenario, "refused connects", c.refused(), "");
        return c;
    }

    private static List<Target.Subscription> subs(int n, String room, String prefix) {
        List<Target.Subscription> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            subs.add(new Target.Subscription(prefix + i, room, -1));
        }
        return subs;
    }

    private void latency(String scenario, String suffix, Histogram h) {
        if (h.getTotalCount() == 0) {
            results.note(scenario, "no latency recorded" + suffix);
            return;
        }
        results.lower(scenario, "p50" + suffix, h.getValueAtPercentile(50) / 1000.0, "ms");
        results.lower(scenario, "p99" + suffix, h.getValueAtPercentile(99) / 1000.0, "ms");
        results.lower(scenario, "p99.9" + suffix, h.getValueAtPercentile(99.9) / 1000.0, "ms");
        results.lower(scenario, "max" + suffix, h.getMaxValue() / 1000.0, "ms");
    }

    private void heraldOrder(String scenario, List<BenchClient> clients) {
        if (target != Target.HERALD) {
            return;
        }
        long gaps = 0;
        long dups = 0;
        for (BenchClient c : clients) {
            gaps += c.gaps;
            dups += c.duplicates;
        }
        results.lower(scenario, "seq gaps", gaps, "");
        results.lower(scenario, "duplicates", dups, "");
    }

    /**
     * A small fanout whose figures are thrown away, so that every server (and the load generator)
     * has its JIT warmed up on the delivery path before the measured scenarios, the same for all.
     */
    String targetLabel() {
        return target.label;
    }

    void warmUp() {
        Results real = results;
        results = real.muted();
        try {
            fanout(1000, 30);
        } finally {
            results = real;
        }
    }

    /** 1. N clients on one topic/room; K messages published as fast as the publisher is answered. */
    void fanout(int n, int k) {
        String sc = "fanout " + n + "x" + k;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, "bench", "f"), sc);
        ctx.resetLatency();
        long start = System.nanoTime();
        Publisher.Outcome o = publisher.run(i -> new Publisher.Dest("bench", null), k, 600, 0, FANOUT_PUBLISHERS);
        if (o.failed() > 0) {
            results.note(sc, o.failed() + " publishes failed; first: " + o.firstError());
        }
        long expected = (long) c.ready() * o.acked();
        ctx.awaitDelivered(expected, java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(150));
        ctx.barrier();
        long last = start;
        int short_ = 0;
        for (BenchClient cl : c.clients()) {
            last = Math.max(last, cl.lastReceiveNanos);
            if (cl.ready && cl.received < o.acked()) {
                short_++;
            }
        }
        long delivered = ctx.delivered.sum();
        results.info(sc, "publish time", o.nanos() / 1e6, "ms");
        results.higher(sc, "deliveries/s", delivered / ((last - start) / 1e9), "1/s");
        latency(sc, "", ctx.takeLatency());
        results.lower(sc, "lost deliveries", Math.max(0, expected - delivered), "");
        results.lower(sc, "clients missing messages", short_, "");
        heraldOrder(sc, c.clients());
        ClientPool.closeAll(c.clients());
    }

    /** 2. N users with a personal socket; publishes to single users, max rate then half of it. */
    void inbox(int n, double seconds, int publishers, String storeLabel) {
        String sc = storeLabel == null ? "inbox" : "inbox " + storeLabel;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, null, "u"), sc);
        ctx.resetLatency();
        Publisher.Outcome max = publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1, seconds, 0, publishers);
        if (max.failed() > 0) {
            results.note(sc, max.failed() + " publishes failed at max rate; first: " + max.firstError());
        }
        ctx.awaitDelivered(max.acked(), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(120));
        results.higher(sc, "acked publishes/s", max.ackedPerSecond(), "1/s");
        latency(sc, " (max rate)", ctx.takeLatency());
        long before = ctx.delivered.sum();
        results.lower(sc, "lost (max rate)", Math.max(0, max.acked() - before), "");

        double rate = Math.max(1, max.ackedPerSecond() / 2);
        results.info(sc, "half rate", rate, "1/s");
        Publisher.Outcome half = publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1, seconds, rate, publishers);
        ctx.awaitDelivered(before + half.acked(), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(120));
        latency(sc, " (half rate)", ctx.takeLatency());
        results.lower(sc, "lost (half rate)", Math.max(0, before + half.acked() - ctx.delivered.sum()), "");
        ctx.barrier();
        heraldOrder(sc, c.clients());
        ClientPool.closeAll(c.clients());
    }

    /** 3. Pairs of clients chatting with each other (not Herald until /ws/chat lands). */
    void chat(int n, double seconds, double ratePerClient) {
        String sc = "chat";
        if (target == Target.HERALD) {
            results.note(sc, "skipped for Herald: /ws/chat is not available yet");
            return;
        }
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n - n % 2, null, "c"), sc);
        ctx.resetLatency();
        AtomicLong sent = new AtomicLong();
        long periodNanos = (long) (1e9 / ratePerClient);
        java.util.Random random = new java.util.Random(7);
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        for (int i = 0; i < c.clients().size(); i++) {
            BenchClient cl = c.clients().get(i);
            if (!cl.ready) {
                continue;
            }
            String peer = "c" + (Integer.parseInt(cl.sub.user().substring(1)) ^ 1);
            tasks.add(cl.channel.eventLoop().scheduleAtFixedRate(() -> {
                cl.send(target.chatFrame(peer, Payload.of(System.nanoTime(), sent.getAndIncrement())));
            }, (long) (random.nextDouble() * periodNanos), periodNanos, TimeUnit.NANOSECONDS));
        }
        long start = System.nanoTime();
        LoadContext.sleep((long) (seconds * 1000));
        for (ScheduledFuture<?> t : tasks) {
            t.cancel(false);
        }
        ctx.barrier();
        long total = sent.get();
        ctx.awaitDelivered(total, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
        ctx.barrier();
        long last = start;
        for (BenchClient cl : c.clients()) {
            last = Math.max(last, cl.lastReceiveNanos);
        }
        results.info(sc, "offered messages/s", total / seconds, "1/s");
        results.higher(sc, "delivered messages/s", ctx.delivered.sum() / ((last - start) / 1e9), "1/s");
        latency(sc, "", ctx.takeLatency());
        results.lower(sc, "lost messages", Math.max(0, total - ctx.delivered.sum()), "");
        ClientPool.closeAll(c.clients());
    }

    /** 4. C idle connections: connect rate, heap after GC and RSS per connection. */
    void idle(int n) throws Exception {
        String sc = "idle " + n;
        if (!probe.available()) {
            results.note(sc, "no server pid given: memory not measured");
        }
        long heap0 = probe.available() ? probe.heapAfterGcBytes() : 0;
        long rss0 = probe.available() ? probe.settledRssBytes() : 0;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, null, "i"), sc);
        results.higher(sc, "connects/s", c.perSecond(), "1/s");
        LoadContext.sleep(1000);
        if (probe.available() && c.ready() > 0) {
            long heap1 = probe.heapAfterGcBytes();
            long rss1 = probe.settledRssBytes();
            results.lower(sc, "heap/connection after GC", (heap1 - heap0) / (double) c.ready(), "B");
            results.lower(sc, "RSS/connection", (rss1 - rss0) / (double) c.ready(), "B");
            results.info(sc, "heap after GC", heap1 / 1048576.0, "MiB");
            results.info(sc, "RSS", rss1 / 1048576.0, "MiB");
        }
        ClientPool.closeAll(c.clients());
    }

    /**
     * 5. Reconnect storm: N clients drop at once, 5 messages are published while they are away,
     * all reconnect (Herald: with since=last seq) while 5 more are published.
     */
    void storm(int n) {
        String sc = "reconnect " + n;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, "storm", "s"), sc);
        Publisher.Outcome warm = publisher.run(i -> new Publisher.Dest("storm", null), 5, 60, 0, 1);
        ctx.awaitDelivered((long) c.ready() * warm.acked(), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(60));
        ctx.barrier();
        ClientPool.closeAll(c.clients());
        Publisher.Outcome away = publisher.run(i -> new Publisher.Dest("storm", null), 5, 60, 0, 1);

        LoadContext ctx2 = new LoadContext(clientLoops);
        List<Target.Subscription> again = new ArrayList<>();
        long finalSeq = -1;
        for (BenchClient cl : c.clients()) {
            if (cl.lastSeq >= 0) {
                finalSeq = Math.max(finalSeq, cl.lastSeq);
            }
            again.add(new Target.Subscription(cl.sub.user(), "storm",
                    target == Target.HERALD ? Math.max(0, cl.lastSeq) : -1));
        }
        long published = warm.acked() + away.acked() + 5;
        if (target == Target.HERALD) {
            finalSeq += away.acked() + 5;
            ctx2.catchUpSeq = finalSeq;
        }
        long start = System.nanoTime();
        CompletableFuture<Publisher.Outcome> live = CompletableFuture.supplyAsync(
                () -> publisher.run(i -> new Publisher.Dest("storm", null), 5, 60, 0, 1));
        ClientPool.Connected c2 = new ClientPool(target, clientUrls, SOURCES, ctx2, jwt).connect(again, IN_FLIGHT, 180);
        results.lower(sc, "all reconnected", c2.nanos() / 1e6, "ms");
        results.lower(sc, "refused reconnects", c2.refused(), "");
        Publisher.Outcome liveOut = live.join();
        if (c2.refused() > 0) {
            results.note(sc, c2.refused() + " reconnects refused (retried after 1 s), " + c2.failed()
                    + " never reconnected; first refusal: " + c2.firstFailure());
        }
        if (target == Target.HERALD) {
            boolean all = LoadContext.awaitCounter(ctx2.caughtUp, c2.ready(), java.time.Duration.ofSeconds(15),
                    java.time.Duration.ofSeconds(120));
            results.lower(sc, "all caught up", (System.nanoTime() - start) / 1e6, "ms");
            ctx2.barrier();
            int behind = 0;
            for (BenchClient cl : c2.clients()) {
                if (cl.lastSeq != finalSeq) {
                    behind++;
                }
            }
            results.lower(sc, "clients not caught up", behind, "");
            if (!all) {
                results.note(sc, behind + " clients did not reach seq " + finalSeq);
            }
            heraldOrder(sc, c2.clients());
        } else {
            ctx2.awaitDelivered((long) c2.ready() * liveOut.acked(), java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofSeconds(30));
            results.note(sc, "no resume: the " + away.acked() + " messages published while clients were away"
                    + " (and live ones sent before a client was back) are not delivered");
        }
        ctx2.barrier();
        long missed = (long) c2.ready() * (published - warm.acked()) - ctx2.delivered.sum();
        results.lower(sc, "messages missed across the drop", Math.max(0, missed), "");
        ClientPool.closeAll(c2.clients());
    }
}
