package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One session's cursor on one stream: it delivers every sequenced event after the cursor
 * exactly once, in seq order, whatever order the broker hands them over in.
 *
 * <h2>How resume avoids the gap and the duplicate</h2>
 * The subscription is registered for live events <em>before</em> the store is read. Live events
 * that arrive while it is {@link State#CATCHING_UP} are buffered; the store is read for
 * {@code seq > cursor}; then the buffer is drained, skipping every seq already delivered. A
 * live event whose seq is ahead of the cursor (a gap: another node's publish overtook, or the
 * broker dropped something) sends the subscription back to the store, so the broker is only a
 * fast path and the store stays the truth. The same mechanism serves reconnect with
 * {@code since}, cross-node reordering and catching up after a broker outage.
 *
 * <h2>Memory and slow consumers</h2>
 * Replay is read in batches and written only while the session is writable, so a large
 * backlog never piles up in memory. The live buffer is capped; past the cap it is dropped and
 * the store is read again instead (4096 events or 1 MiB). A live event that finds a live
 * subscription's session unwritable closes it as a {@link CloseReason#SLOW_CONSUMER}: it loses
 * nothing, since it resumes from the store. During catch-up the replay waits for writability
 * instead, since a client reading a backlog keeps the queue near the cap; but a live event due
 * while the queue has stayed at the cap for {@link #CATCH_UP_STALL_LIMIT_NANOS} (the client
 * stopped reading) closes it the same way, at the latest when that time is up.
 * Both queues exist only while they hold something, so an idle subscription holds none.
 *
 * <h2>Threading</h2>
 * Confined to the session's event loop, except construction.
 */
public final class StreamSubscription {
    enum State { CATCHING_UP, LIVE, CLOSED }

    static final int REPLAY_BATCH = 256;
    static final int MAX_BUFFERED = 4096;
    static final long MAX_BUFFERED_BYTES = 1024 * 1024;
    /**
     * How long a catching-up subscription's session may stay unwritable (its queue at the cap,
     * not drained to half of it) while live events are due, before it is closed as a slow
     * consumer. Long enough for a client that reads a backlog at a few hundred KiB/s to keep
     * going (it drains half the default 4 MiB cap in that time); short enough that a client
     * that stopped reading is closed while its resume point is fresh.
     */
    static final long CATCH_UP_STALL_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final DeliveryHub hub;
    private final Session session;
    private final String stream;
    private final TypeFilter filter;
    private final long requestedSince;
    private Consumer<StreamState> onStart; // null once called

    // All below: only on session.eventLoop().
    private State state = State.CATCHING_UP;
    private boolean started;
    private long cursor;
    // Both null while empty: most subscriptions are idle and never replay or buffer.
    private ArrayDeque<StreamEvent> replay;
    private ArrayList<StreamEvent> buffered;
    private long bufferedBytes;
    private boolean bufferOverflowed;
    // The latest unread_count not yet written: the one after a run of live notifications (written
    // when the run ends), or one that found a catching-up session unwritable (written once live).
    private StreamEvent pendingCounts;
    private boolean storeHasMore;
    private boolean reading;
    private boolean waitingForWritable;
    private long stalledSinceNanos;    // when waitingForWritable last became true
    private boolean stallCheckScheduled;

    StreamSubscription(DeliveryHub hub, Session session, String stream, long since, TypeFilter filter,
                       Consumer<StreamState> onStart) {
        this.hub = hub;
        this.session = session;
        this.stream = stream;
        this.requestedSince = since;
        this.filter = filter;
        this.onStart = onStart;
    }

    public String stream() {
        return stream;
    }

    public Session session() {
        return session;
    }

    /** The last seq this subscription has passed (delivered or filtered out). Loop only. */
    public long cursor() {
        return cursor;
    }

    boolean isLive() {
        return state == State.LIVE;
    }

    /** First step after registration: learn where the stream is, then replay or go live. */
    void begin() {
        hub.readState(this, stream, st -> {
            if (state == State.CLOSED) {
                return;
            }
            started = true;
            // since < 0: "from now". since past the end (e.g. a reset database): from the end.
            cursor = requestedSince < 0 ? st.lastSeq() : Math.min(requestedSince, st.lastSeq());
            Consumer<StreamState> start = onStart;
            onStart = null;
            start.accept(st);
            // Events lost while the state was read (the buffer overflowed, the broker
            // resynchronized) may have been committed after it: read the store for them too.
            storeHasMore = cursor < st.lastSeq() || bufferOverflowed;
            pump();
        });
    }

    /** A live event from the broker. */
    void onLive(StreamEvent event) {
        if (state == State.CLOSED) {
            return;
        }
        if (!event.isSequenced()) {
            if (started) {
                writeLive(event);
            }
            return;
        }
        if (state == State.LIVE) {
            if (event.seq() <= cursor) {
                return;
            }
            if (event.seq() == cursor + 1) {
                if (!session.isWritable()) {
                    hub.slowConsumer(this);
                    return;
                }
                pass(event, true);
                return;
            }
            state = State.CATCHING_UP;
            storeHasMore = true;
        }
        buffer(event);
        pump();
        if (waitingForWritable) {
            dueWhileStalled();
        }
    }

    /**
     * A live event is due while catch-up waits for writability: close once the session has
     * been unwritable for {@link #CATCH_UP_STALL_LIMIT_NANOS}, now or when that time is up.
     * Only reached on the stalled path: the fast path reads no clock and schedules nothing.
     */
    private void dueWhileStalled() {
        long stalled = System.nanoTime() - stalledSinceNanos;
        if (stalled >= CATCH_UP_STALL_LIMIT_NANOS) {
            hub.slowConsumer(this);
            return;
        }
        if (!stallCheckScheduled) {
            stallCheckScheduled = true;
            session.eventLoop().schedule(this::checkStall, CATCH_UP_STALL_LIMIT_NANOS - stalled, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The stall timer: the events that were due still are (buffered, or dropped to the store),
     * so a stall still going on is checked again, even if writability came and went in between.
     */
    private void checkStall() {
        stallCheckScheduled = false;
        if (state == State.CATCHING_UP && waitingForWritable && session.isOpen()) {
            dueWhileStalled();
        }
    }

    /** Catch-up cannot write now: flush, and resume in {@link #onWritable}. */
    private void waitForWritable() {
        if (!waitingForWritable) {
            waitingForWritable = true;
            stalledSinceNanos = System.nanoTime();
            if (buffered != null || bufferOverflowed || pendingCounts != null) {
                dueWhileStalled(); // live events already wait behind the replay
            }
        }
        session.flush();
    }

    /**
     * Live events for this stream may have been lost (the broker's outage, the loop's queue
     * overflowing): go back to the store. A live subscription starts catching up; one already
     * catching up reads the store again once its current read is done, as after its buffer
     * overflowed, since that read may have been issued before the lost events were committed
     * and no later event may come to reveal the gap.
     */
    void resynchronize() {
        if (state == State.LIVE) {
            state = State.CATCHING_UP;
            storeHasMore = true;
            pump();
        } else if (state == State.CATCHING_UP) {
            bufferOverflowed = true;
            storeHasMore = true;
            pump();
        }
    }

    void onWritable() {
        if (waitingForWritable && session.isWritable()) {
            waitingForWritable = false;
            pump();
        }
    }

    void close() {
        state = State.CLOSED;
        replay = null;
        buffered = null;
        bufferedBytes = 0;
        pendingCounts = null;
    }

    private void buffer(StreamEvent event) {
        if (bufferOverflowed) {
            return;
        }
        if (buffered == null) {
            buffered = new ArrayList<>();
        }
        if (buffered.size() >= MAX_BUFFERED || bufferedBytes + event.json().length > MAX_BUFFERED_BYTES) {
            buffered = null;
            bufferedBytes = 0;
            bufferOverflowed = true;
            storeHasMore = true;
            return;
        }
        buffered.add(event);
        bufferedBytes += event.json().length;
    }

    /** Advances catch-up as far as it can without blocking; goes live when nothing is left. */
    private void pump() {
        if (state != State.CATCHING_UP || !started || reading) {
            return;
        }
        while (replay != null && !replay.isEmpty()) {
            if (!session.isWritable()) {
                waitForWritable();
                return;
            }
            StreamEvent e = replay.poll();
            if (e.seq() > cursor) {
                pass(e, false);
            }
        }
        replay = null;
        if (storeHasMore) {
            readStore();
            return;
        }
        if (!drainBuffer()) {
            return;
        }
        state = State.LIVE;
        writePendingCounts();
        session.flush();
    }

    /** @return true when the buffer drained without a gap */
    private boolean drainBuffer() {
        List<StreamEvent> list = buffered;
        if (list == null) {
            return true;
        }
        list.sort(Comparator.comparingLong(StreamEvent::seq));
        int i = 0;
        try {
            for (; i < list.size(); i++) {
                StreamEvent e = list.get(i);
                if (e.seq() <= cursor) {
                    continue;
                }
                if (e.seq() != cursor + 1 && !provenDeleted(e.seq())) {
                    // A gap the store may fill: read it, keep the rest buffered.
                    storeHasMore = true;
                    readStore();
                    return false;
                }
                if (!session.isWritable()) {
                    waitForWritable();
                    return false;
                }
                pass(e, false);
            }
            return true;
        } finally {
            for (StreamEvent e : list.subList(0, i)) {
                bufferedBytes -= e.json().length;
            }
            list.subList(0, i).clear();
            if (list.isEmpty() && buffered == list) {
                buffered = null;
            }
        }
    }

    // An empty store read from `provenEmptyFrom`, issued after every buffered event up to
    // `provenEmptyUpTo` had been committed, proves the seqs in between were deleted: seq order
    // equals commit order, so they would have been visible to that read.
    private long provenEmptyFrom = -1;
    private long provenEmptyUpTo = -1;

    private boolean provenDeleted(long seq) {
        return provenEmptyFrom == cursor && seq <= provenEmptyUpTo;
    }

    private void readStore() {
        reading = true;
        // Events arriving from now on are committed after this read starts: buffer them again.
        bufferOverflowed = false;
        long from = cursor;
        long bufferedAtIssue = 0;
        if (buffered != null) {
            for (StreamEvent e : buffered) {
                bufferedAtIssue = Math.max(bufferedAtIssue, e.seq());
            }
        }
        long provenUpTo = bufferedAtIssue;
        hub.readSince(this, stream, from, REPLAY_BATCH, events -> {
            reading = false;
            if (state == State.CLOSED) {
                return;
            }
            // An overflow during the read dropped events the read may not have seen.
            storeHasMore = events.size() == REPLAY_BATCH || bufferOverflowed;
            if (events.isEmpty()) {
                provenEmptyFrom = from;
                provenEmptyUpTo = provenUpTo;
            }
            if (!events.isEmpty()) {
                if (replay == null) {
                    replay = new ArrayDeque<>(events);
                } else {
                    replay.addAll(events);
                }
            }
            pump();
        });
    }

    private void pass(StreamEvent event, boolean live) {
        cursor = event.seq();
        if (filter.matches(event.type())) {
            session.deliver(event);
            hub.delivered(event, live);
        }
        if (event.unread() >= 0) {
            // Live, or drained from the buffer after a replay: either way the count changed. A live
            // notification's counts wait for the end of its run (endOfRun), so a burst of them
            // costs the client one unreadCount, the last, not one per notification.
            pendingCounts = hub.unreadEvent(event);
            if (!live) {
                writePendingCounts();
            }
        }
    }

    /**
     * The dispatcher has handed this subscription a run of live events: write the counts the
     * last of them left, if the subscription is live (a catching-up one writes them once live).
     */
    void endOfRun() {
        if (state == State.LIVE) {
            writePendingCounts();
        }
    }

    private void writePendingCounts() {
        if (pendingCounts != null) {
            StreamEvent counts = pendingCounts;
            pendingCounts = null;
            session.deliver(counts);
        }
    }

    private void writeLive(StreamEvent event) {
        if (event.excludeUserId() != null && event.excludeUserId().equals(session.userId())) {
            return;
        }
        if (!session.isWritable()) {
            if (state == State.CATCHING_UP) {
                // The replay is pacing itself; keep the newest count for when it is done, drop the rest
                // (ephemeral events are never replayed).
                if (event.unread() >= 0) {
                    pendingCounts = event;
                }
                if (waitingForWritable) {
                    dueWhileStalled();
                }
                return;
            }
            hub.slowConsumer(this);
            return;
        }
        if (event.unread() >= 0) {
            pendingCounts = null; // this count is newer
        } else {
            writePendingCounts(); // before what follows it, e.g. an inbox change
        }
        session.deliver(event);
    }
}
