package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;

import java.util.List;

/**
 * The durable side of streams, as the delivery core reads it to resume and fill gaps. Each
 * domain (notifications, chat) has its own; {@link #routed} picks one by stream key prefix.
 *
 * <p>Blocking: called on the blocking executor, never on an event loop. Thread-safe.
 */
public interface StreamLog {
    /** The stream's last seq and unread count. */
    StreamState state(String stream);

    /** Events with {@code seq > afterSeq}, ascending, at most {@code limit}, encoded as live ones are. */
    List<StreamEvent> readSince(String stream, long afterSeq, int limit);

    /**
     * A log that sends streams whose key starts with {@code prefix} to {@code special} and all
     * others to {@code fallback}.
     */
    static StreamLog routed(String prefix, StreamLog special, StreamLog fallback) {
        return new StreamLog() {
            private StreamLog pick(String stream) {
                return stream.startsWith(prefix) ? special : fallback;
            }

            @Override
            public StreamState state(String stream) {
                return pick(stream).state(stream);
            }

            @Override
            public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
                return pick(stream).readSince(stream, afterSeq, limit);
            }
        };
    }
}
