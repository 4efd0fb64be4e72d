package dev.herald.server.store.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Several {@link GroupCommitWriter}s for one kind of write (lanes), each with its own queue,
 * thread and connection, so that the database works on more than one transaction at a time. A
 * key always goes to the same lane ({@link #of}): its writes share one queue and keep its order.
 * Chat keys lanes by conversation, publishes by their first stream. Thread-safe.
 *
 * @param <T> one write
 * @param <R> the answer to one write
 */
public final class WriterLanes<T, R> implements AutoCloseable {
    private final List<GroupCommitWriter<T, R>> writers;

    /**
     * @param lanes how many writers
     * @param lane  makes the writer of lane {@code i} (0-based)
     */
    public WriterLanes(int lanes, IntFunction<GroupCommitWriter<T, R>> lane) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes: must be at least 1, was " + lanes);
        }
        List<GroupCommitWriter<T, R>> all = new ArrayList<>(lanes);
        for (int i = 0; i < lanes; i++) {
            all.add(lane.apply(i));
        }
        this.writers = List.copyOf(all);
    }

    /** The writer name of lane {@code i}: {@code base} alone when there is one lane, else numbered from 1. */
    public static String name(String base, int lanes, int i) {
        return lanes == 1 ? base : base + " " + (i + 1);
    }

    /** The lane of {@code key}: always the same one. */
    public GroupCommitWriter<T, R> of(long key) {
        return writers.get((int) Math.floorMod(key, (long) writers.size()));
    }

    /** Writes waiting, all lanes. */
    public int queued() {
        int queued = 0;
        for (GroupCommitWriter<T, R> w : writers) {
            queued += w.queued();
        }
        return queued;
    }

    /** Transactions committed, all lanes. */
    public long commits() {
        long commits = 0;
        for (GroupCommitWriter<T, R> w : writers) {
            commits += w.commits();
        }
        return commits;
    }

    /** Closes every lane: each refuses new writes and waits (bounded) for its queued ones. */
    @Override
    public void close() {
        writers.forEach(GroupCommitWriter::close);
    }
}
