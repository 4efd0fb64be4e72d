package dev.herald.bench;

import io.netty.handler.codec.http.FullHttpResponse;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The push scenario (Herald only): how many push jobs a second go through Herald's outbox
 * (docs/push.md) to a Web Push service on loopback ({@link PushSink}), and how long a push takes
 * from the publish that asked for it to its arrival there.
 *
 * <p>N users each get one Web Push device, registered by the app backend with the API key
 * ({@code POST /api/v1/users/{id}/devices}), whose endpoint is the sink. Then the app publishes,
 * each publish to the next user (round robin) with {@code "push": {"collapse_key": "k<index>"}}:
 * a warm-up that is not recorded, then batches of {@value #BATCH}
 * ({@code POST /api/v1/notifications/batch}, {@value #BATCH_PUBLISHERS} at a time, so that
 * publishing is not the bound) as fast as they are answered for the plan's seconds, then single
 * publishes paced at half the push rate just measured. After each, it waits until every acked
 * publish's push arrived (no new push for {@link #IDLE}, or {@link #MAX_WAIT} at most). A server
 * whose batch route refuses {@code push} gets single publishes from {@value #SINGLE_PUBLISHERS}
 * connections at max rate instead, with a note ({@link #batchesTakePush}).
 *
 * <p>Each publish's collapse key is unique, so no push replaces another ({@code collapsed}), and
 * it is how the sink tells the pushes apart without decrypting them. The index's send time is
 * known here, so latency is publish sent -> push arrived, on one clock. Runs on the caller's
 * thread; publishing on the {@link Publisher}'s loop, the sink on its own.
 */
final class PushScenario {

    /** Publishes per batch request, and concurrent batch requests, at max rate. */
    static final int BATCH = 100;
    static final int BATCH_PUBLISHERS = 8;
    /**
     * Concurrent single publishes at max rate when the server takes no {@code push} in a batch
     * (as many as the inbox scenario's: Herald's group commit needs concurrent publishes to batch).
     */
    static final int SINGLE_PUBLISHERS = 128;
    /** Concurrent single publishes at half rate (paced: they wait for their due time). */
    static final int HALF_RATE_PUBLISHERS = 16;
    /** Concurrent device registrations (setup, not measured). */
    static final int SETUP_CONNECTIONS = 16;
    /** The unrecorded publishing before the measurement, at most this long. */
    static final double WARM_UP_SECONDS = 3;
    /** How long a phase waits for its pushes: until none arrived for IDLE, at most MAX_WAIT. */
    static final Duration IDLE = Duration.ofSeconds(20);
    static final Duration MAX_WAIT = Duration.ofSeconds(120);
    /**
     * The max-rate phase stops publishing early once it has published what the outbox drains in
     * the phase plus this many seconds more, at the warm-up's push rate: publishing may be many
     * times faster than pushing (batches), and a backlog the wait cannot drain would read as lost.
     */
    static final int BACKLOG_SECONDS = 60;

    /** What one publishing phase sent: per request index, its send time and whether it was acked. */
    private record Phase(long base, int perRequest, Publisher.Outcome outcome, Map<Long, Long> sentNanos,
                         Set<Long> acked, long receivedBefore) {
        long ackedPublishes() {
            return (long) acked.size() * perRequest;
        }

        /** The indexes this phase used: base, base + 1, ... */
        long span() {
            return (long) sentNanos.size() * perRequest;
        }
    }

    private record Measured(double pushesPerSecond, long lost) {
    }

    /** When this load process started, and its push runs so far ({@link #userPrefix}). */
    private static final long LOAD_STARTED_MILLIS = System.currentTimeMillis();
    private static final AtomicLong RUNS = new AtomicLong();

    private final Target target;
    private final Publisher publisher;
    private Results results;
    /** The next publish index (collapse key), across the phases of this run. */
    private long nextIndex;

    PushScenario(Target target, Publisher publisher, Results results) {
        this.target = target;
        this.publisher = publisher;
        this.results = results;
    }

    void run(int users, double seconds, String storeLabel) throws Exception {
        String sc = storeLabel == null ? "push" : "push " + storeLabel;
        if (target != Target.HERALD) {
            results.note(sc, "not run: " + target.label + " has no push (Herald's push is measured with the herald target)");
            return;
        }
        try (PushSink sink = PushSink.start()) {
            List<String> registered = register(sc, sink, users);
            if (registered.isEmpty()) {
                return;
            }
            int perRequest = BATCH;
            int connections = BATCH_PUBLISHERS;
            if (!batchesTakePush(sc, registered, sink)) {
                perRequest = 1;
                connections = SINGLE_PUBLISHERS;
            }
            double warmRate = unrecorded(sc, " (warm-up)", publish(registered, WARM_UP_SECONDS, 0, perRequest, connections,
                    sink), sink);

            // At most what the outbox drains in the phase plus BACKLOG_SECONDS at the warm-up's
            // rate, so that the wait after it ends within MAX_WAIT rather than count a backlog as lost.
            long cap = Math.max(1, (long) (warmRate * (seconds + BACKLOG_SECONDS) / perRequest));
            Phase max = publish(registered, seconds, cap, 0, perRequest, connections, sink);
            if (max.outcome().failed() > 0) {
                results.note(sc, max.outcome().failed() + " requests failed at max rate; first: " + max.outcome().firstError());
            }
            if (max.sentNanos().size() >= cap) {
                results.note(sc, "max rate: publishing stopped after " + max.span() + " publishes in "
                        + Math.round(max.outcome().nanos() / 1e6) + " ms, " + BACKLOG_SECONDS
                        + " s of pushes at the warm-up's " + Math.round(warmRate) + "/s beyond what the phase drains");
            }
            results.higher(sc, "publishes acked/s", max.ackedPublishes() / (max.outcome().nanos() / 1e9), "1/s");
            double half = Math.max(1, measure(sc, "", max, sink).pushesPerSecond() / 2);
            results.info(sc, "half rate", half, "1/s");
            Phase paced = publish(registered, seconds, half, 1, HALF_RATE_PUBLISHERS, sink);
            if (paced.outcome().failed() > 0) {
                results.note(sc, paced.outcome().failed() + " publishes failed at half rate; first: "
                        + paced.outcome().firstError());
            }
            measure(sc, " (half rate)", paced, sink);
        }
    }

    /**
     * Whether the server takes {@code push} in a batch's publishes, tried with one batch (not
     * recorded). Herald's batch route refused the field at first ({@code publishes[0].push:
     * unknown field}); then the max rate runs on single publishes from {@value #SINGLE_PUBLISHERS}
     * connections instead, with a note.
     */
    private boolean batchesTakePush(String sc, List<String> users, PushSink sink) {
        Phase probe = publish(users, 60, 1, 0, BATCH, 1, sink);
        unrecorded(sc, " (probe)", probe, sink);
        if (probe.outcome().acked() == 1) {
            return true;
        }
        results.note(sc, "max rate with single publishes from " + SINGLE_PUBLISHERS + " connections, not batches of "
                + BATCH + ": the batch route refused push (" + probe.outcome().firstError() + ")");
        return false;
    }

    /** {@link #measure} without recording; notes pushes missing when the wait ended; returns pushes/s. */
    private double unrecorded(String sc, String suffix, Phase phase, PushSink sink) {
        Results real = results;
        results = real.muted();
        Measured m;
        try {
            m = measure(sc, suffix, phase, sink);
        } finally {
            results = real;
        }
        if (m.lost() > 0) {
            results.note(sc, "not recorded" + suffix + ": " + m.lost() + " acked publishes had no push when its wait ended");
        }
        return m.pushesPerSecond();
    }

    /**
     * Has the app backend register one Web Push device at the sink per user {@link #userPrefix}
     * + 0, 1, ...; returns the users whose device was registered. One key pair and auth secret serve every device: the
     * sink decrypts nothing, and Herald encrypts each push for its device all the same.
     */
    private List<String> register(String sc, PushSink sink, int users) throws GeneralSecurityException {
        String prefix = userPrefix();
        String keys = "\"keys\":{\"p256dh\":\"" + p256dh() + "\",\"auth\":\"" + auth() + "\"}";
        AtomicIntegerArray ok = new AtomicIntegerArray(users);
        Publisher.Outcome o = publisher.exchange(
                i -> new Publisher.Request("/api/v1/users/" + prefix + i + "/devices",
                        "{\"platform\":\"webpush\",\"subscription\":{\"endpoint\":\"" + sink.endpoint(prefix + i) + "\","
                                + keys + "}}"),
                (i, res) -> ok.set((int) i, success(res) ? 1 : 0), users, 120, 0, SETUP_CONNECTIONS);
        results.info(sc, "devices registered/s", o.ackedPerSecond(), "1/s");
        List<String> registered = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            if (ok.get(i) == 1) {
                registered.add(prefix + i);
            }
        }
        if (registered.size() < users) {
            results.note(sc, (users - registered.size()) + " of " + users + " devices could not be registered (their"
                    + " users get no publishes); first answer: " + o.firstError());
        }
        return registered;
    }

    /**
     * Publishes to the users in turn for {@code seconds}, {@code perRequest} publishes a request
     * ({@link Target#HERALD_BATCH_PATH} when above 1), at {@code rate} publishes a second (0: as
     * fast as answered). Returns when every request is answered.
     */
    private Phase publish(List<String> users, double seconds, double rate, int perRequest, int connections, PushSink sink) {
        return publish(users, seconds, -1, rate, perRequest, connections, sink);
    }

    /** As above, stopping after {@code requests} requests ({@code -1}: none). */
    private Phase publish(List<String> users, double seconds, long requests, double rate, int perRequest, int connections,
                          PushSink sink) {
        long base = nextIndex;
        long receivedBefore = sink.received();
        Map<Long, Long> sent = new ConcurrentHashMap<>();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Publisher.Outcome o = publisher.exchange(k -> {
            long now = System.nanoTime();
            sent.put(k, now);
            return request(users, base + k * perRequest, perRequest, now);
        }, (k, res) -> {
            if (success(res)) {
                acked.add(k);
            }
        }, requests, seconds, rate / perRequest, connections);
        Phase phase = new Phase(base, perRequest, o, sent, acked, receivedBefore);
        nextIndex = base + phase.span();
        return phase;
    }

    private Publisher.Request request(List<String> users, long first, int count, long now) {
        if (count == 1) {
            return new Publisher.Request(target.publishPath(null, users.get((int) (first % users.size()))),
                    body(users, first, now));
        }
        StringBuilder items = new StringBuilder("{\"publishes\":[");
        for (long i = first; i < first + count; i++) {
            items.append(i == first ? "" : ",").append(body(users, i, now));
        }
        return new Publisher.Request(Target.HERALD_BATCH_PATH, items.append("]}").toString());
    }

    /** Publish {@code index}: the benchmark payload to the next user, pushed, collapse key {@code k<index>}. */
    private String body(List<String> users, long index, long now) {
        String user = users.get((int) (index % users.size()));
        String b = target.publishBody(null, user, Payload.of(now, index));
        return b.substring(0, b.length() - 1) + ",\"push\":{\"collapse_key\":\"" + PushSink.TOPIC_PREFIX + index + "\"}}";
    }

    /**
     * Waits for the phase's pushes and records its figures with {@code suffix}; returns its
     * pushes/s (pushes received / (last arrival - first publish sent)) and lost pushes.
     */
    private Measured measure(String sc, String suffix, Phase phase, PushSink sink) {
        long expected = phase.ackedPublishes();
        long waitStart = System.nanoTime();
        boolean all = LoadContext.awaitCount(sink::received, phase.receivedBefore() + expected, IDLE, MAX_WAIT);
        double waited = (System.nanoTime() - waitStart) / 1e9;
        PushSink.Arrivals arrivals = sink.take();

        byte[] seen = new byte[(int) phase.span()];
        Histogram latency = new Histogram(3);
        long unique = 0;
        long duplicates = 0;
        long outside = 0;
        long ofFailedPublishes = 0;
        long last = Long.MIN_VALUE;
        for (int a = 0; a < arrivals.indexes().length; a++) {
            long offset = arrivals.indexes()[a] - phase.base();
            if (arrivals.indexes()[a] < 0 || offset < 0 || offset >= seen.length) {
                outside++;
                continue;
            }
            long k = offset / phase.perRequest();
            if (!phase.acked().contains(k)) {
                ofFailedPublishes++;
                continue;
            }
            if (seen[(int) offset] == 0) {
                seen[(int) offset] = 1;
                unique++;
                long at = arrivals.nanos()[a];
                latency.recordValue(Math.max(0, (at - phase.sentNanos().get(k)) / 1000));
                last = Math.max(last, at);
            } else {
                duplicates++;
            }
        }
        long firstSent = phase.sentNanos().values().stream().mapToLong(Long::longValue).min().orElse(0);
        double perSecond = unique == 0 ? 0 : unique / ((last - firstSent) / 1e9);
        results.higher(sc, "pushes/s" + suffix, perSecond, "1/s");
        if (latency.getTotalCount() > 0) {
            results.lower(sc, "p50" + suffix, latency.getValueAtPercentile(50) / 1000.0, "ms");
            results.lower(sc, "p99" + suffix, latency.getValueAtPercentile(99) / 1000.0, "ms");
            results.lower(sc, "max" + suffix, latency.getMaxValue() / 1000.0, "ms");
        }
        long lost = Math.max(0, expected - unique);
        results.lower(sc, "lost pushes" + suffix, lost, "");
        results.lower(sc, "duplicate pushes" + suffix, duplicates, "");
        if (lost > 0) {
            String why = all ? "the count was reached with duplicates"
                    : waited >= MAX_WAIT.toSeconds() ? "its " + MAX_WAIT.toSeconds() + " s bound passed, pushes still arriving"
                    : "no push arrived for " + IDLE.toSeconds() + " s";
            results.note(sc, lost + " of " + expected + " acked publishes" + suffix + " had no push when the wait ended ("
                    + why + ", after " + Math.round(waited) + " s)");
        }
        if (outside > 0 || ofFailedPublishes > 0) {
            results.note(sc, "during" + suffix + ": " + outside + " pushes of no publish of this phase (another phase's,"
                    + " or without a k<index> topic), " + ofFailedPublishes + " of publishes not acked");
        }
        return new Measured(perSecond, lost);
    }

    /**
     * The start of the user ids of one push run, never used before against any server: a user of
     * an earlier run on the same server keeps its device, whose endpoint (an earlier sink's port)
     * now refuses connections, and each push to that user would also go there and be retried (a
     * second run on one server saw 10,839 retries against 3,981 pushes sent).
     */
    static String userPrefix() {
        return "p" + Long.toString(LOAD_STARTED_MILLIS, 36) + "." + RUNS.incrementAndGet() + "-";
    }

    private static boolean success(FullHttpResponse res) {
        int code = res.status().code();
        return code >= 200 && code < 300;
    }

    /** A P-256 public key as a browser's subscription gives it: the uncompressed point, base64url. */
    private static String p256dh() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey key = (ECPublicKey) generator.generateKeyPair().getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        coordinate(key.getW().getAffineX(), point, 1);
        coordinate(key.getW().getAffineY(), point, 33);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(point);
    }

    /** {@code v} as 32 unsigned big-endian bytes at {@code at}. */
    private static void coordinate(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int skip = Math.max(0, b.length - 32);   // a sign byte
        System.arraycopy(b, skip, out, at + 32 - (b.length - skip), b.length - skip);
    }

    /** The subscription's 16-byte auth secret, base64url (seeded: nothing here depends on it being secret). */
    private static String auth() {
        byte[] secret = new byte[16];
        new Random(15).nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
