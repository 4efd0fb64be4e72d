package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishers that publish to a handful of users as fast as they can, for fault tests: every
 * 2xx answer is recorded as an {@link Ack} (user, id, seq), every other answer by status, and a
 * request that got no answer at all (connection refused or reset, timeout) as unanswered. Bounded
 * in count ({@code maxPerThread}) and stopped by {@link #stop()}.
 */
public final class PublishLoad implements AutoCloseable {
    /** One acknowledged publish: the user's notification {@code id} got {@code seq}. */
    public record Ack(String user, String id, long seq) {
    }

    private final Api api;
    private final List<String> users;
    private final int maxPerThread;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    public final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    public final Map<Integer, AtomicInteger> refusedByStatus = new ConcurrentHashMap<>();
    public final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicLong slowestRefusalNanos = new AtomicLong();

    private PublishLoad(Api api, List<String> users, int maxPerThread) {
        this.api = api;
        this.users = users;
        this.maxPerThread = maxPerThread;
    }

    /** Starts {@code threads} publishers, each publishing to the users in turn. */
    public static PublishLoad start(Api api, List<String> users, int threads, int maxPerThread) {
        PublishLoad load = new PublishLoad(api, users, maxPerThread);
        for (int t = 0; t < threads; t++) {
            int publisher = t;
            load.threads.add(Thread.ofVirtual().name("publisher-" + t).start(() -> load.publish(publisher)));
        }
        return load;
    }

    private void publish(int publisher) {
        for (int i = 0; i < maxPerThread && !stopped.get(); i++) {
            String user = users.get((publisher + i) % users.size());
            long t0 = System.nanoTime();
            Api.Reply r;
            try {
                r = api.publish("{\"to\":{\"user\":\"" + user + "\"},\"notification\":{\"type\":\"load\",\"p\":"
                        + publisher + ",\"i\":" + i + "}}");
            } catch (AssertionError noAnswer) {
                unanswered.incrementAndGet();
                continue;
            }
            if (r.status() / 100 == 2) {
                JsonNode n = r.json().get("notifications").get(0);
                acks.add(new Ack(user, n.get("id").asText(), n.get("seq").asLong()));
            } else {
                refusedByStatus.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                slowestRefusalNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
            }
        }
    }

    public int acknowledged() {
        return acks.size();
    }

    public int refused(int status) {
        AtomicInteger n = refusedByStatus.get(status);
        return n == null ? 0 : n.get();
    }

    /** The longest wait for a non-2xx answer. */
    public Duration slowestRefusal() {
        return Duration.ofNanos(slowestRefusalNanos.get());
    }

    /** True once every publisher has finished its count or been stopped. */
    public boolean finished() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** Stops the publishers and waits for their last request (each is bounded by the client's 15 s timeout). */
    public void stop() throws InterruptedException {
        stopped.set(true);
        for (Thread t : threads) {
            if (!t.join(Duration.ofSeconds(30))) {
                throw new AssertionError("publisher " + t.getName() + " still running 30 s after stop");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
