package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import io.netty.channel.EventLoop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A session that records what it is given; writability is set by the test. */
final class RecordingSession implements Session {
    final List<StreamEvent> delivered = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;
    volatile CloseReason closedWith;
    volatile int flushes;
    private final EventLoop loop;
    private boolean flushPending;

    /** Where {@link #deliver} and {@link #flush} write "name:deliver" and "name:flush", in order; may be null. */
    private final List<String> journal;
    private final String name;

    RecordingSession(EventLoop loop) {
        this(loop, "test-session", null);
    }

    RecordingSession(EventLoop loop, String name, List<String> journal) {
        this.loop = loop;
        this.name = name;
        this.journal = journal;
    }

    List<Long> seqs() {
        return delivered.stream().filter(StreamEvent::isSequenced).map(StreamEvent::seq).toList();
    }

    @Override
    public String id() {
        return "test-session";
    }

    @Override
    public String userId() {
        return "42";
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean isOpen() {
        return closedWith == null;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    /** Closes itself (as a slow consumer would be) once it got this many events; -1: never. */
    volatile int closeAfter = -1;

    @Override
    public void deliver(StreamEvent event) {
        if (!loop.inEventLoop()) {
            throw new AssertionError("deliver off the session's loop");
        }
        if (closedWith != null) {
            throw new AssertionError("deliver to a closed session");
        }
        delivered.add(event);
        if (journal != null) {
            journal.add(name + ":deliver");
        }
        if (delivered.size() == closeAfter) {
            closedWith = CloseReason.SLOW_CONSUMER;
        }
    }

    @Override
    public void flush() {
        flushPending = false;
        flushes++;
        if (journal != null) {
            journal.add(name + ":flush");
        }
    }

    @Override
    public boolean markFlushPending() {
        boolean was = flushPending;
        flushPending = true;
        return !was;
    }

    @Override
    public void close(CloseReason reason) {
        closedWith = reason;
    }
}
