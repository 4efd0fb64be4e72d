package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.broker.Broker;
import dev.herald.server.stream.StreamState;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The delivery core of one node: which local sessions follow which streams, and the path of
 * an event from the broker to their sockets.
 *
 * <p>The node subscribes to a stream at the broker when its first local subscriber arrives and
 * unsubscribes when the last one leaves, so nodes only receive traffic they deliver. An event
 * is handed to each event loop that has subscribers, once, with the set of that loop's
 * subscriptions ({@link LoopDispatcher}); the frame bytes are shared by all of them.
 *
 * <p>Thread-safe. Store reads run on {@code blockingExecutor} (virtual threads); their results
 * are handed back to the subscription's event loop.
 */
public final class DeliveryHub implements Broker.Listener {
    private static final Logger logger = LoggerFactory.getLogger(DeliveryHub.class);

    private static final CompletableFuture<Void> SUBSCRIBED = CompletableFuture.completedFuture(null);

    /**
     * Store reads (a subscription's start, replay, catch-up) running at once; the others wait
     * their turn, in order. Without a bound, a loop that fell behind sent each of its thousands of
     * subscriptions to the store together: they took every pooled connection (8 on H2, 12 on
     * PostgreSQL), the chat and publish writers queued behind thousands of reads for theirs,
     * commits stalled, and reads failed after the pool's 3 s wait, to be retried and logged one by
     * one (docs/benchmarks.md, issue 13, item 33). Four keeps the rest of the pool for the writers
     * and the API; a read on a local database takes well under a millisecond.
     */
    static final int MAX_STORE_READS = 4;

    /**
     * Subscribers of one stream on this node, grouped by event loop. Most streams (a user's own)
     * have one subscriber: the maps start at the smallest size and grow with the stream.
     */
    private static final class Subscribers {
        final CompletableFuture<Void> brokerSubscribed;
        final Map<EventLoop, Set<StreamSubscription>> byLoop = new ConcurrentHashMap<>(1);
        int count; // guarded by the map's compute() on this stream's key

        Subscribers(CompletableFuture<Void> brokerSubscribed) {
            // A broker that subscribes at once (in-process) answers with a new completed future
            // each time; one shared future, only ever read here, does the same.
            boolean done = brokerSubscribed.isDone() && !brokerSubscribed.isCompletedExceptionally();
            this.brokerSubscribed = done ? SUBSCRIBED : brokerSubscribed;
        }
    }

    private final StreamLog log;
    private final Broker broker;
    private final ExecutorService blockingExecutor;
    private final Function<StreamEvent, StreamEvent> unreadFrames;
    private final DeliveryListener listener;
    /** Made once: {@link #onEvent} looks a loop's dispatcher up for every event. */
    private final Function<EventLoop, LoopDispatcher> newDispatcher;
    private final Map<String, Subscribers> streams = new ConcurrentHashMap<>();
    private final Map<EventLoop, LoopDispatcher> dispatchers = new ConcurrentHashMap<>();
    private final Semaphore storeReads = new Semaphore(MAX_STORE_READS, true);

    /**
     * @param log          where streams are read back from, to resume and fill gaps
     * @param unreadFrames the {@code unread_count} event that follows a live event carrying an unread count
     * @param listener     observes deliveries and slow consumers (metrics)
     */
    public DeliveryHub(StreamLog log, Broker broker, ExecutorService blockingExecutor,
                       Function<StreamEvent, StreamEvent> unreadFrames,
                       DeliveryListener listener) {
        this.log = log;
        this.broker = broker;
        this.blockingExecutor = blockingExecutor;
        this.unreadFrames = unreadFrames;
        this.listener = listener;
        this.newDispatcher = loop -> new LoopDispatcher(loop, listener);
    }

    /** Observes the core for metrics. Called on event loops; must not block. */
    public interface DeliveryListener {
        void delivered(StreamEvent event, boolean live);

        void slowConsumer(Session session);

        /**
         * An event loop fell {@link LoopDispatcher#MAX_QUEUED} events behind and dropped its queue;
         * {@code resynchronized} subscriptions, those of the streams that lost events, went back
         * to the store.
         */
        void fellBehind(int resynchronized);
    }

    /**
     * Subscribes a session to a stream. Call on the session's event loop.
     *
     * @param since   deliver every event after this seq, then live ones; -1 for live ones only
     * @param onStart called on the loop with the stream's state before anything is delivered
     */
    public StreamSubscription subscribe(Session session, String stream, long since, TypeFilter filter,
                                        Consumer<StreamState> onStart) {
        StreamSubscription sub = new StreamSubscription(this, session, stream, since, filter, onStart);
        Subscribers subs = streams.compute(stream, (key, existing) -> {
            Subscribers s = existing != null ? existing : new Subscribers(broker.subscribe(key));
            s.byLoop.computeIfAbsent(session.eventLoop(), l -> ConcurrentHashMap.newKeySet(1)).add(sub);
            s.count++;
            return s;
        });
        subs.brokerSubscribed.whenComplete((ok, failure) -> session.eventLoop().execute(() -> {
            if (failure != null) {
                logger.warn("broker subscribe failed stream={} session={}: {}", stream, session.id(), failure.toString());
            }
            // Even when the broker failed, the store read below still delivers; the broker's
            // resynchronize() brings live events back when it recovers.
            sub.begin();
        }));
        return sub;
    }

    /** Removes a subscription. Any thread; idempotent. */
    public void unsubscribe(StreamSubscription sub) {
        streams.computeIfPresent(sub.stream(), (key, s) -> {
            Set<StreamSubscription> set = s.byLoop.get(sub.session().eventLoop());
            if (set == null || !set.remove(sub)) {
                return s;
            }
            if (set.isEmpty()) {
                s.byLoop.remove(sub.session().eventLoop(), set);
            }
            if (--s.count == 0) {
                broker.unsubscribe(key);
                return null;
            }
            return s;
        });
        EventLoop loop = sub.session().eventLoop();
        if (loop.inEventLoop()) {
            sub.close();
        } else {
            loop.execute(sub::close);
        }
    }

    /** Number of streams this node is subscribed to. */
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void onEvent(StreamEvent event) {
        Subscribers subs = streams.get(event.stream());
        if (subs == null) {
            return;
        }
        for (Map.Entry<EventLoop, Set<StreamSubscription>> entry : subs.byLoop.entrySet()) {
            dispatchers.computeIfAbsent(entry.getKey(), newDispatcher).submit(event, entry.getValue());
        }
    }

    @Override
    public void resynchronize() {
        for (Subscribers subs : streams.values()) {
            for (Map.Entry<EventLoop, Set<StreamSubscription>> entry : subs.byLoop.entrySet()) {
                Set<StreamSubscription> set = entry.getValue();
                entry.getKey().execute(() -> set.forEach(StreamSubscription::resynchronize));
            }
        }
    }

    /** Tells the session's subscriptions it can take more bytes. Call on its loop. */
    public void writable(StreamSubscription sub) {
        sub.onWritable();
    }

    // ---- called by StreamSubscription, on its loop ----

    void readState(StreamSubscription sub, String stream, Consumer<StreamState> then) {
        onStore(sub, () -> log.state(stream), then, 0);
    }

    void readSince(StreamSubscription sub, String stream, long afterSeq, int limit,
                   Consumer<List<StreamEvent>> then) {
        onStore(sub, () -> log.readSince(stream, afterSeq, limit), then, 0);
    }

    void delivered(StreamEvent event, boolean live) {
        listener.delivered(event, live);
    }

    void slowConsumer(StreamSubscription sub) {
        Session session = sub.session();
        logger.info("slow consumer closed session={} user={} stream={}", session.id(), session.userId(), sub.stream());
        listener.slowConsumer(session);
        session.close(CloseReason.SLOW_CONSUMER);
    }

    StreamEvent unreadEvent(StreamEvent event) {
        return event.follower(unreadFrames);
    }

    /**
     * Runs a store call off the loop, at most {@link #MAX_STORE_READS} at once, and hands the
     * result back to it. A failing store is retried with capped backoff while the session is
     * open: the subscription just waits. A session that closed while its read waited for its
     * turn is not read for.
     */
    private <T> void onStore(StreamSubscription sub, Supplier<T> call, Consumer<T> then, int attempt) {
        EventLoop loop = sub.session().eventLoop();
        blockingExecutor.execute(() -> {
            T result;
            try {
                storeReads.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the executor is shutting down
                return;
            }
            try {
                if (!sub.session().isOpen()) {
                    return;
                }
                result = call.get();
            } catch (RuntimeException e) {
                if (!sub.session().isOpen()) {
                    return;
                }
                long delayMs = Math.min(10_000, 250L << Math.min(attempt, 6));
                logger.warn("store read failed stream={} session={} attempt={} retry_in_ms={}: {}",
                        sub.stream(), sub.session().id(), attempt + 1, delayMs, e.toString());
                loop.schedule(() -> onStore(sub, call, then, attempt + 1), delayMs, TimeUnit.MILLISECONDS);
                return;
            } finally {
                storeReads.release();
            }
            loop.execute(() -> then.accept(result));
        });
    }
}
