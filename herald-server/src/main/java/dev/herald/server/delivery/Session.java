package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import io.netty.channel.EventLoop;

/**
 * A client connection as the delivery core sees it, whatever its transport (plain WebSocket,
 * Socket.IO, SSE). Transports adapt their channel to this; the core never sees a frame format.
 *
 * <h2>Threading</h2>
 * Every session is owned by one Netty event loop ({@link #eventLoop()}). All methods except
 * {@link #id()}, {@link #userId()} and {@link #eventLoop()} must be called on that loop.
 */
public interface Session {

    /** Unique id of this connection, for logs. */
    String id();

    /** The authenticated user. */
    String userId();

    /** The loop that owns this session. */
    EventLoop eventLoop();

    /** False once closed; the core then drops the session's subscriptions. */
    boolean isOpen();

    /** True while the transport's outbound queue is under its byte cap. */
    boolean isWritable();

    /** Writes one event without flushing. */
    void deliver(StreamEvent event);

    /** Flushes what {@link #deliver} wrote. Also clears the pending-flush mark. */
    void flush();

    /**
     * Marks the session as needing a flush at the end of the current dispatch pass.
     *
     * @return true when it was not marked yet (the caller then remembers to flush it)
     */
    boolean markFlushPending();

    /** Closes the connection with a reason the client can act on. */
    void close(CloseReason reason);
}
