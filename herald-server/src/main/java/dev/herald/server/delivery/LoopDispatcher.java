package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands live events to the subscriptions of one event loop in batches, and flushes each
 * touched session once per batch instead of once per event.
 *
 * <p>This is where fanout gets its speed: a burst of events becomes one task on the loop, every
 * write in it goes to the channel's buffer, each connection is visited once per run of events of
 * its stream, and costs one flush (one syscall) per pass however many events it received.
 *
 * <p>Thread-safe: {@link #submit} from any thread; the drain runs on the loop.
 */
final class LoopDispatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LoopDispatcher.class);

    /** Events drained per pass before yielding the loop to I/O. */
    private static final int MAX_EVENTS_PER_PASS = 256;
    /**
     * Events waiting for this loop. Past it the loop is not keeping up: queued events are
     * dropped and the subscriptions they were for catch up from the store instead, so memory
     * stays bounded and nothing sequenced is lost. The loop's other subscriptions lost nothing
     * and are left alone: a storm on one stream does not send every idle connection of the loop
     * to the store.
     */
    static final int MAX_QUEUED = 65_536;

    private record Work(StreamEvent event, Collection<StreamSubscription> targets) {
    }

    private final EventLoop loop;
    private final DeliveryHub.DeliveryListener listener;
    private final Queue<Work> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    /**
     * The subscription sets (a stream's subscribers on this loop, compared by identity) an event
     * was dropped for since the last drain: one entry per set, so bounded by the streams with
     * subscribers here (and the sets replaced meanwhile), not by the events dropped.
     */
    private final Set<Collection<StreamSubscription>> lostFor =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final AtomicBoolean scheduled = new AtomicBoolean();
    // Only on the loop.
    private final List<Work> pass = new ArrayList<>(MAX_EVENTS_PER_PASS);
    private final List<Session> dirty = new ArrayList<>();

    /** @param listener told when this loop falls behind (metrics) */
    LoopDispatcher(EventLoop loop, DeliveryHub.DeliveryListener listener) {
        this.loop = loop;
        this.listener = listener;
    }

    void submit(StreamEvent event, Collection<StreamSubscription> targets) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            lostFor.add(targets); // before the flag, so that the drain that clears the flag sees it
            overflowed.set(true);
        } else {
            queue.add(new Work(event, targets));
        }
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        if (overflowed.getAndSet(false)) {
            dropQueued();
        }
        Work work;
        while (pass.size() < MAX_EVENTS_PER_PASS && (work = queue.poll()) != null) {
            queued.decrementAndGet();
            pass.add(work);
        }
        // Consecutive events of one stream go to the same subscriptions: each subscription takes
        // them all in one visit, so a burst touches every connection's objects once per pass
        // rather than once per event (with 20k connections those objects do not stay in cache).
        int first = 0;
        while (first < pass.size()) {
            Collection<StreamSubscription> targets = pass.get(first).targets();
            int end = first + 1;
            while (end < pass.size() && pass.get(end).targets() == targets) {
                end++;
            }
            // In the pass's last run a connection not touched before is flushed as soon as it has
            // its events: the same one flush, but the first connections' bytes reach the kernel
            // while the loop still writes to the others, instead of all after the whole pass
            // (fanout p99 lower in 11 of 12 A/B pairs, docs/benchmarks.md, issue 13, item 35).
            boolean lastRun = end == pass.size();
            for (StreamSubscription sub : targets) {
                Session session = sub.session();
                for (int i = first; i < end && session.isOpen(); i++) {
                    sub.onLive(pass.get(i).event());
                }
                if (session.isOpen()) {
                    sub.endOfRun();
                }
                if (session.isOpen() && session.markFlushPending()) {
                    if (lastRun) {
                        session.flush();
                    } else {
                        dirty.add(session);
                    }
                }
            }
            first = end;
        }
        pass.clear();
        for (Session session : dirty) {
            session.flush();
        }
        dirty.clear();
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    /**
     * The loop fell {@link #MAX_QUEUED} events behind: drops what is queued and sends the
     * subscriptions of every stream that lost an event back to the store.
     */
    private void dropQueued() {
        int dropped = 0;
        Work work;
        while ((work = queue.poll()) != null) {
            queued.decrementAndGet();
            lostFor.add(work.targets());
            dropped++;
        }
        List<Collection<StreamSubscription>> lost;
        synchronized (lostFor) {
            lost = new ArrayList<>(lostFor);
            lostFor.clear();
        }
        int subscriptions = 0;
        for (Collection<StreamSubscription> targets : lost) {
            for (StreamSubscription sub : targets) {
                sub.resynchronize();
                subscriptions++;
            }
        }
        log.warn("event loop {} fell {} events behind: dropped {} queued, {} subscriptions of {} streams catch up"
                + " from the store", loop, MAX_QUEUED, dropped, subscriptions, lost.size());
        listener.fellBehind(subscriptions);
    }
}
