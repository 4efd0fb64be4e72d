package dev.herald.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The five scenarios of issue 7 and push (issue 15), run against one target. Each opens its
 * clients, drives the load, writes its figures to {@link Results} and drops its clients before
 * returning. Runs on the caller's thread; client I/O runs on {@code clientLoops}, publishing on
 * {@code publishLoops}.
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
    /**
     * Unrecorded publishing before the inbox measurement (see {@link #inbox}), at most three times
     * the measurement's length: with 4 s, a Herald run started at the inbox still had the C2
     * compiler at 20% of the machine during its measured max-rate phase and 33% during the
     * half-rate phase (JFR's thread CPU load; its store path, H2 and JDBC, compiles late). With
     * 10 s, the PostgreSQL inbox (a fresh server of its own in a full run) still had it at 40-68%
     * of the 2 cores through the max-rate and half-rate phases (per-thread CPU from /proc), and
     * its single publishes measured 7,665 to 12,195/s in three runs of the same build.
     */
    private static final double INBOX_WARM_UP_SECONDS = 30;
    /**
     * How long the chat scenario waits without a new answer before it counts the sends still
     * unanswered as "acks missing": longer than Herald's own bound on an answer, a send held for
     * room up to 10 s ({@code ChatConnection.MAX_HOLD}) and then waiting for its commit up to 10 s
     * ({@code JdbcChatStore.APPEND_WAIT}). It was 10 s: the 01:18 full run counted one send of the
     * overloaded H2 chat as missing (neither ack nor error 10 s after the last answer), inside
     * the 20 s the server may take to answer it.
     */
    private static final java.time.Duration CHAT_ANSWER_IDLE = java.time.Duration.ofSeconds(25);
    /** Herald's batch publishes are warmed up too, for this long, before the measured batches. */
    private static final double INBOX_BATCH_WARM_UP_SECONDS = 5;
    /**
     * Chat is warmed up too, for every server, unrecorded at a fifth of the rate: the first chat
     * run of a load process (a fresh server) for three times its measured length (30 s in full),
     * later ones (the next points of a sweep, on the same server) for 4 s. With 4 s on a fresh
     * Herald, the C2 compiler took 0.4-0.6 of the 2 cores through the whole measured part (JFR:
     * 100 compilations of over 100 ms each, 26 s of compiler time, most of it H2's statement and
     * page code); it settles after about 35 s of chat.
     */
    private static final double CHAT_FIRST_WARM_UP_RUNS = 3;
    private static final double CHAT_WARM_UP_SECONDS = 4;
    private static final double CHAT_WARM_UP_RATE_SHARE = 0.2;
    /**
     * After the first warm-up at a fifth of the rate, this long at the rate itself: the compiler
     * still had full-rate paths to compile (JFR of a PostgreSQL chat at 12,500/s, 01:46 on 12-07:
     * 519 compilations and 6 s of compiler time inside the 10 s measured part, after 1.2 s in the
     * 20 s before it; /proc put the compiler at 0.2-0.4 of the 2 cores there). With 5 s the
     * compiler still took 0.21-0.25 of the 2 cores in the measured part (12-07, 03:02), so it is
     * the measured length, 10 s in full; every server gets the same.
     */
    private static final double CHAT_FULL_RATE_WARM_UP_SECONDS = 10;
    /** Herald's batched inbox: notifications per batch request, and concurrent batch publishers. */
    private static final int INBOX_BATCH = 100;
    private static final int INBOX_BATCH_PUBLISHERS = 8;
    /** When this load process started, and its Herald chat runs so far ({@link #chatClientIdPrefix}). */
    private static final long LOAD_STARTED_MILLIS = System.currentTimeMillis();
    private static final AtomicLong CHAT_RUNS = new AtomicLong();
    /** Concurrent requests creating the Herald chat conversations (setup, not measured). */
    private static final int SETUP_CONNECTIONS = 16;

    private final Target target;
    private final URI base;
    private final List<URI> clientUrls;
    private final Jwt jwt;
    private final ServerProbe probe;
    /** Whether a chat run has warmed this server up ({@link #chatWarmUp}). */
    private boolean chatWarmed;
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
        if (!target.herald()) {
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
     * Fanouts whose figures are thrown away, so that every server (and the load generator) has its
     * JIT warmed up on the delivery path before the measured scenarios, the same for all: one small
     * round, then rounds of 1,000 x 200 until {@code seconds} have passed (at most 20). A single
     * 1,000 x 30 round had left a fresh Herald's C2 compiler at 0.3-0.4 of the 2 cores through the
     * measured 5,000 x 200 fanout (CPU per thread from /proc), and the curves' first point (1k
     * connections) at half the next one's rate against bare Netty.
     */
    void warmUp(double seconds) {
        System.out.println(target.label + ": warm-up (fanout, " + seconds + " s, not recorded)");
        Results real = results;
        results = real.muted();
        try {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            fanout(1000, 30);
            for (int round = 0; round < 20 && System.nanoTime() < end; round++) {
                fanout(1000, 200);
            }
        } finally {
            results = real;
        }
    }

    /** 1. N clients on one topic/room; K messages published as fast as the publisher is answered. */
    void fanout(int n, int k) {
        String sc = "fanout " + n + "x" + k;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, "bench", "f"), sc);
        NavigableMap<Double, Double> serverBefore = snapshot(ServerHistogram.DELIVERY);
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
        reportServer(sc, ServerHistogram.DELIVERY, serverBefore);
        results.lower(sc, "lost deliveries", Math.max(0, expected - delivered), "");
        results.lower(sc, "clients missing messages", short_, "");
        heraldOrder(sc, c.clients());
        ClientPool.closeAll(c.clients());
    }

    /**
     * A histogram Herald keeps of itself, read before and after a measured part so that its
     * quantiles cover exactly that part; "server p50/p99, {@code label}" in the report.
     * {@code herald_delivery_latency_seconds} (commit to the write into the socket) says how much
     * of the publish -> receive latency is in the server and how much after it (the kernel's
     * socket buffers, the load generator reading); {@code herald_chat_batch_latency_seconds} is
     * the store's share of a chat send's (a send waits for the batch in flight, then its own).
     */
    private enum ServerHistogram {
        DELIVERY("commit -> socket write", ServerProbe::deliveryLatencyBuckets),
        CHAT_BATCH("chat writer batch", ServerProbe::chatBatchLatencyBuckets);

        private final String label;
        private final Reader reader;

        ServerHistogram(String label, Reader reader) {
            this.label = label;
            this.reader = reader;
        }

        private interface Reader {
            NavigableMap<Double, Double> read(ServerProbe probe) throws IOException, InterruptedException;
        }
    }

    /** The histogram now, or empty when it cannot be read (not Herald, or the server is gone). */
    private NavigableMap<Double, Double> snapshot(ServerHistogram which) {
        try {
            return which.reader.read(probe);
        } catch (IOException e) {
            return new TreeMap<>();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TreeMap<>();
        }
    }

    /** Its p50 and p99 since {@code before}, when anything was recorded in between. */
    private void reportServer(String sc, ServerHistogram which, NavigableMap<Double, Double> before) {
        NavigableMap<Double, Double> after = snapshot(which);
        double p50 = ServerProbe.quantileMs(before, after, 0.50);
        double p99 = ServerProbe.quantileMs(before, after, 0.99);
        if (!Double.isNaN(p99)) {
            results.info(sc, "server p50, " + which.label + " (bucket bound)", p50, "ms");
            results.info(sc, "server p99, " + which.label + " (bucket bound)", p99, "ms");
        }
    }

    /** 2. N users with a personal socket; publishes to single users, max rate then half of it. */
    void inbox(int n, double seconds, int publishers, String storeLabel) {
        String sc = storeLabel == null ? "inbox" : "inbox " + storeLabel;
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n, null, "u"), sc);
        // Not recorded: the same publishing first (INBOX_WARM_UP_SECONDS; Herald's batches too), so
        // that every server runs the measured part with its publish path compiled (a fresh JVM
        // spent ~45% of its CPU in the JIT compiler during a cold 10 s inbox run) rather than
        // measuring its warm-up.
        long warmAcked = publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1,
                Math.min(INBOX_WARM_UP_SECONDS, 3 * seconds), 0, publishers).acked();
        if (target.herald()) {
            warmAcked += publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1,
                    Math.min(INBOX_BATCH_WARM_UP_SECONDS, seconds), 0, INBOX_BATCH_PUBLISHERS, INBOX_BATCH).acked();
        }
        ctx.awaitDelivered(warmAcked, java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(60));
        if (ctx.delivered.sum() < warmAcked) {
            results.note(sc, "warm-up: " + (warmAcked - ctx.delivered.sum()) + " of " + warmAcked
                    + " acked publishes not delivered");
        }
        ctx.delivered.reset();
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

        if (target.herald()) {
            // The same users and load generator, with the app sending its notifications in batches
            // (POST /api/v1/notifications/batch): one request and one commit per batch. Max rate,
            // then half of it, like the single publishes.
            String b = " (batches of " + INBOX_BATCH + ")";
            long before2 = ctx.delivered.sum();
            Publisher.Outcome batched = publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1, seconds, 0,
                    INBOX_BATCH_PUBLISHERS, INBOX_BATCH);
            if (batched.failed() > 0) {
                results.note(sc, batched.failed() + " batched publishes failed; first: " + batched.firstError());
            }
            ctx.awaitDelivered(before2 + batched.acked(), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(120));
            results.higher(sc, "acked publishes/s" + b, batched.ackedPerSecond(), "1/s");
            latency(sc, b + " max rate", ctx.takeLatency());
            results.lower(sc, "lost" + b + " max rate", Math.max(0, before2 + batched.acked() - ctx.delivered.sum()), "");

            double halfBatched = Math.max(INBOX_BATCH, batched.ackedPerSecond() / 2);
            results.info(sc, "half rate" + b, halfBatched, "1/s");
            long before3 = ctx.delivered.sum();
            Publisher.Outcome halfB = publisher.run(i -> new Publisher.Dest(null, "u" + (i % n)), -1, seconds,
                    halfBatched, INBOX_BATCH_PUBLISHERS, INBOX_BATCH);
            if (halfB.failed() > 0) {
                results.note(sc, halfB.failed() + " batched publishes failed at half rate; first: " + halfB.firstError());
            }
            ctx.awaitDelivered(before3 + halfB.acked(), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(120));
            latency(sc, b + " half rate", ctx.takeLatency());
            results.lower(sc, "lost" + b + " half rate", Math.max(0, before3 + halfB.acked() - ctx.delivered.sum()), "");
        }
        ctx.barrier();
        heraldOrder(sc, c.clients());
        ClientPool.closeAll(c.clients());
    }

    /**
     * 3. Pairs of clients chatting with each other, each sending {@code ratePerClient} messages/s.
     * Socket.IO and bare Netty forward a message to the partner's user room; Herald: see
     * {@link #heraldChat}.
     */
    void chat(int n, double seconds, double ratePerClient, String storeLabel) {
        chat(storeLabel == null ? "chat" : "chat " + storeLabel, n, seconds, ratePerClient);
    }

    /** {@link #chat(int, double, double, String)} with its figures recorded as scenario {@code sc} (a point of a sweep). */
    void chat(String sc, int n, double seconds, double ratePerClient) {
        if (target.herald()) {
            heraldChat(sc, n - n % 2, seconds, ratePerClient);
            return;
        }
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs(n - n % 2, null, "c"), sc);
        AtomicLong sent = new AtomicLong();
        List<BenchClient> senders = c.clients().stream().filter(cl -> cl.ready).toList();
        java.util.function.Function<BenchClient, Runnable> senderOf = cl -> {
            String peer = "c" + (Integer.parseInt(cl.sub.user().substring(1)) ^ 1);
            return () -> cl.send(target.chatFrame(peer, Payload.of(System.nanoTime(), sent.getAndIncrement())));
        };
        chatWarmUp(senders, ratePerClient, seconds, senderOf);
        ctx.barrier();
        long warmed = sent.get();
        ctx.awaitDelivered(warmed, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
        long deliveredBefore = ctx.delivered.sum();
        ctx.resetLatency();
        long start = sendPaced(senders, ratePerClient, seconds, senderOf);
        ctx.barrier();
        long total = sent.get() - warmed;
        ctx.awaitDelivered(deliveredBefore + total, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
        ctx.barrier();
        long last = start;
        for (BenchClient cl : c.clients()) {
            last = Math.max(last, cl.lastReceiveNanos);
        }
        long delivered = ctx.delivered.sum() - deliveredBefore;
        results.info(sc, "offered messages/s", total / seconds, "1/s");
        results.higher(sc, "delivered messages/s", delivered / ((last - start) / 1e9), "1/s");
        latency(sc, "", ctx.takeLatency());
        results.lower(sc, "lost messages", Math.max(0, total - delivered), "");
        ClientPool.closeAll(c.clients());
    }

    /**
     * Herald's chat: before the measured part the app backend creates one direct conversation per
     * pair ({@code POST /api/v1/backend/conversations}, {@value #SETUP_CONNECTIONS} at a time); each
     * client opens {@code /ws/chat} and joins its conversation; then both partners send
     * {@code send_message} with the payload's JSON text as {@code content}. Every message is
     * committed before its {@code ack} and its {@code message} frames. Delivered: the partner's
     * {@code message} frames (latency send -> partner); acks: the sender's own (latency send ->
     * ack). Over Herald's Socket.IO ({@link Target#HERALD_SIO}) the same with
     * {@code joinConversation}, {@code sendMessage} and its ack, and {@code newMessage} events. A pair whose conversation could not be created, or whose partner never joined, does
     * not send (noted).
     */
    private void heraldChat(String sc, int n, double seconds, double ratePerClient) {
        int pairs = n / 2;
        long[] conversations = createConversations(sc, pairs);
        List<Target.Subscription> subs = new ArrayList<>(n);
        for (int p = 0; p < pairs; p++) {
            if (conversations[p] > 0) {
                subs.add(new Target.Subscription("c" + (2 * p), null, -1, conversations[p]));
                subs.add(new Target.Subscription("c" + (2 * p + 1), null, -1, conversations[p]));
            }
        }
        LoadContext ctx = new LoadContext(clientLoops);
        ClientPool.Connected c = connect(ctx, subs, sc);
        Set<String> joined = new HashSet<>();
        for (BenchClient cl : c.clients()) {
            if (cl.ready) {
                joined.add(cl.sub.user());
            }
        }
        List<BenchClient> senders = new ArrayList<>();
        for (BenchClient cl : c.clients()) {
            if (cl.ready && joined.contains(partner(cl.sub.user()))) {
                senders.add(cl);
            }
        }
        if (senders.size() < n) {
            results.note(sc, (n - senders.size()) + " of " + n + " clients do not send: their conversation was not"
                    + " created, or they or their partner never joined it");
        }
        long errorsAtJoin = ctx.errors.sum();   // join refusals: those clients do not send
        AtomicLong sent = new AtomicLong();
        String ids = chatClientIdPrefix();
        java.util.function.Function<BenchClient, Runnable> senderOf = cl -> () -> {
            long i = sent.getAndIncrement();
            cl.sendChat(ids + i, Payload.of(System.nanoTime(), i));
        };
        // Unrecorded warm-up; every warm-up send answered and every acked one delivered before the measured part.
        chatWarmUp(senders, ratePerClient, seconds, senderOf);
        ctx.barrier();
        long warmed = sent.get();
        LoadContext.awaitCount(() -> ctx.acks.sum() + ctx.errors.sum() - errorsAtJoin, warmed,
                CHAT_ANSWER_IDLE, java.time.Duration.ofSeconds(60));
        ctx.awaitDelivered(ctx.acks.sum(), java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
        long errorsBefore = ctx.errors.sum();
        long acksBefore = ctx.acks.sum();
        long deliveredBefore = ctx.delivered.sum();
        ctx.resetLatency();
        NavigableMap<Double, Double> batchesBefore = snapshot(ServerHistogram.CHAT_BATCH);
        long start = sendPaced(senders, ratePerClient, seconds, senderOf);
        ctx.barrier();
        long total = sent.get() - warmed;
        // Every send is answered with an ack or an error; then every acked message must reach the partner.
        LoadContext.awaitCount(() -> ctx.acks.sum() + ctx.errors.sum() - errorsBefore - acksBefore, total,
                CHAT_ANSWER_IDLE, java.time.Duration.ofSeconds(60));
        ctx.awaitDelivered(ctx.acks.sum(), java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
        ctx.barrier();
        long last = start;
        for (BenchClient cl : c.clients()) {
            last = Math.max(last, cl.lastReceiveNanos);
        }
        long delivered = ctx.delivered.sum() - deliveredBefore;
        long acked = ctx.acks.sum() - acksBefore;
        results.info(sc, "offered messages/s", total / seconds, "1/s");
        results.higher(sc, "delivered messages/s", delivered / ((last - start) / 1e9), "1/s");
        latency(sc, "", ctx.takeLatency());
        results.lower(sc, "lost messages", Math.max(0, total - delivered), "");
        latency(sc, " (ack)", ctx.takeAckLatency());
        reportServer(sc, ServerHistogram.CHAT_BATCH, batchesBefore);
        results.lower(sc, "acks missing", Math.max(0, total - acked), "");
        heraldOrder(sc, c.clients());
        long refused = ctx.errors.sum() - errorsBefore;
        results.lower(sc, "refused sends", refused, "");
        results.lower(sc, "acked, not delivered", Math.max(0, acked - delivered), "");
        if (refused > 0) {
            results.note(sc, refused + " sends refused with an error frame instead of an ack (not stored, so not"
                    + " delivered: counted as lost too); first error: " + ctx.firstError.get());
        }
        ClientPool.closeAll(c.clients());
    }

    /**
     * The start of every client id one Herald chat run sends, never used before against any server:
     * the points of a sweep (and a second load process) chat in the same direct conversations
     * (creating a pair's direct conversation again returns it), and a client id the server already
     * stored from that sender there is a retry, answered with the stored message and not delivered
     * again. With "m0", "m1", ... in every point, the curves runs reported a few hundred "acked, not
     * delivered" messages with acks 100 s old: earlier points' messages, replayed as they should be.
     */
    static String chatClientIdPrefix() {
        return "m" + Long.toString(LOAD_STARTED_MILLIS, 36) + "." + CHAT_RUNS.incrementAndGet() + "-";
    }

    /**
     * The unrecorded chat before a measured one (see {@link #CHAT_WARM_UP_SECONDS}): at a fifth of
     * the rate, and on the first run of a server then {@link #CHAT_FULL_RATE_WARM_UP_SECONDS} at
     * the rate itself.
     */
    private void chatWarmUp(List<BenchClient> senders, double ratePerClient, double measuredSeconds,
                            java.util.function.Function<BenchClient, Runnable> senderOf) {
        boolean first = !chatWarmed;
        chatWarmed = true;
        double seconds = first ? Math.max(CHAT_WARM_UP_SECONDS, CHAT_FIRST_WARM_UP_RUNS * measuredSeconds)
                : CHAT_WARM_UP_SECONDS;
        sendPaced(senders, ratePerClient * CHAT_WARM_UP_RATE_SHARE, seconds, senderOf);
        if (first) {
            sendPaced(senders, ratePerClient, Math.min(CHAT_FULL_RATE_WARM_UP_SECONDS, measuredSeconds), senderOf);
        }
    }

    /** The user chatting with {@code user} in the chat scenario: c0-c1, c2-c3, ... */
    private static String partner(String user) {
        return "c" + (Integer.parseInt(user.substring(1)) ^ 1);
    }

    /**
     * Has the app backend create the direct conversation of each pair (c{2p}, c{2p+1}); returns
     * their ids by pair, 0 where creation failed (noted).
     */
    private long[] createConversations(String sc, int pairs) {
        AtomicLongArray ids = new AtomicLongArray(pairs);
        AtomicReference<String> odd = new AtomicReference<>();
        byte[] idKey = FrameScanner.key("id");
        Publisher.Outcome o = publisher.exchange(
                p -> new Publisher.Request("/api/v1/backend/conversations",
                        HeraldChatFrames.directConversation("c" + (2 * p), "c" + (2 * p + 1))),
                (p, res) -> {
                    int code = res.status().code();
                    if (code < 200 || code >= 300) {
                        return;   // counted as failed, with the first answer, by the publisher
                    }
                    long id = FrameScanner.longField(res.content(), idKey, -1);   // {"conversation":{"id":N,...
                    if (id > 0) {
                        ids.set((int) p, id);
                    } else {
                        odd.compareAndSet(null, code + " without a conversation id: "
                                + res.content().toString(StandardCharsets.UTF_8));
                    }
                }, pairs, 120, 0, SETUP_CONNECTIONS);
        results.info(sc, "conversations created/s", o.ackedPerSecond(), "1/s");
        long[] out = new long[pairs];
        int missing = 0;
        for (int p = 0; p < pairs; p++) {
            out[p] = ids.get(p);
            if (out[p] == 0) {
                missing++;
            }
        }
        if (missing > 0) {
            results.note(sc, missing + " of " + pairs + " conversations could not be created (those pairs do not"
                    + " chat); " + o.failed() + " requests failed, first: " + o.firstError()
                    + (odd.get() != null ? "; " + odd.get() : ""));
        }
        return out;
    }

    /**
     * Has each client run its sender {@code ratePerClient} times a second on its own event loop
     * (first send at a random point of the first period, so the clients do not send in step) for
     * {@code seconds}, then stops them. Returns when the sending started (nanoTime).
     */
    private static long sendPaced(List<BenchClient> clients, double ratePerClient, double seconds,
                                  java.util.function.Function<BenchClient, Runnable> senderOf) {
        long periodNanos = (long) (1e9 / ratePerClient);
        java.util.Random random = new java.util.Random(7);
        List<ScheduledFuture<?>> tasks = new ArrayList<>(clients.size());
        for (BenchClient cl : clients) {
            tasks.add(cl.channel.eventLoop().scheduleAtFixedRate(senderOf.apply(cl),
                    (long) (random.nextDouble() * periodNanos), periodNanos, TimeUnit.NANOSECONDS));
        }
        long start = System.nanoTime();
        LoadContext.sleep((long) (seconds * 1000));
        for (ScheduledFuture<?> t : tasks) {
            t.cancel(false);
        }
        return start;
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
                    target.herald() ? Math.max(0, cl.lastSeq) : -1));
        }
        long published = warm.acked() + away.acked() + 5;
        if (target.herald()) {
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
        if (target.herald()) {
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

    /**
     * 6. Push (Herald only; the others note that they have no push): N users with one Web Push
     * device each at a push service in this process, publishes asking for push; see {@link PushScenario}.
     */
    void push(int users, double seconds, String storeLabel) throws Exception {
        new PushScenario(target, publisher, results).run(users, seconds, storeLabel);
    }
}
