package dev.herald.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One event on a stream, encoded once and shared by every recipient.
 *
 * <p>A <em>sequenced</em> event ({@code seq > 0}) is a committed entry of the stream's log: it can
 * be replayed from the store, and a subscriber delivers it exactly once, in seq order. An
 * <em>ephemeral</em> event ({@code seq == 0}) is not stored: it is delivered to whoever is
 * subscribed at that moment (an unread count change, typing) and never replayed.
 *
 * <p>Immutable and safe to share between threads. {@link #json()} must not be modified.
 */
public final class StreamEvent {
    private final String stream;
    private final long seq;
    private final String type;
    private final long createdAtMillis;
    private final long unread;
    private final long unseen;
    private final byte[] json;
    private final String excludeUserId;
    /** Wire encodings by format slot, computed on first use; a race computes one twice, harmlessly. */
    private final AtomicReferenceArray<ByteBuf> encodings = new AtomicReferenceArray<>(FORMATS);
    /** {@link #json()} as one transport's value (see {@link #asValue}); computed on first use, like the encodings. */
    private final AtomicReference<Object> value = new AtomicReference<>();
    /** {@link #follower}, once derived; a race derives it twice, harmlessly. */
    private volatile StreamEvent follower;

    /**
     * @param stream          stream key, e.g. {@code user:42}
     * @param seq             position in the stream, or 0 for an ephemeral event
     * @param type            the frame's {@code type}, used for per-connection type filters
     * @param createdAtMillis commit time, for delivery latency
     * @param unread          the stream's unread count after this event, or -1 when it did not change
     * @param json            the complete JSON frame, UTF-8
     */
    public StreamEvent(String stream, long seq, String type, long createdAtMillis, long unread, byte[] json) {
        this(stream, seq, type, createdAtMillis, unread, json, null);
    }

    /**
     * @param excludeUserId a user whose sessions skip this event (the typist of a typing event), or null
     */
    public StreamEvent(String stream, long seq, String type, long createdAtMillis, long unread, byte[] json,
                       String excludeUserId) {
        this(stream, seq, type, createdAtMillis, unread, -1, json, excludeUserId);
    }

    /**
     * @param unseen the stream's unseen count after this event, or -1 when it did not change or is
     *               not known
     */
    public StreamEvent(String stream, long seq, String type, long createdAtMillis, long unread, long unseen,
                       byte[] json, String excludeUserId) {
        this.excludeUserId = excludeUserId;
        this.stream = Objects.requireNonNull(stream, "stream");
        if (seq < 0) {
            throw new IllegalArgumentException("seq: must be >= 0, was " + seq);
        }
        this.seq = seq;
        this.type = Objects.requireNonNull(type, "type");
        this.createdAtMillis = createdAtMillis;
        this.unread = unread;
        this.unseen = unseen;
        this.json = Objects.requireNonNull(json, "json");
    }

    public static StreamEvent ephemeral(String stream, String type, long unread, byte[] json) {
        return new StreamEvent(stream, 0, type, System.currentTimeMillis(), unread, json);
    }

    /** An ephemeral event that every subscriber except {@code excludeUserId}'s sessions receives. */
    public static StreamEvent ephemeralExcept(String stream, String type, byte[] json, String excludeUserId) {
        return new StreamEvent(stream, 0, type, System.currentTimeMillis(), -1, json, excludeUserId);
    }

    /** Format slots of {@link #encoded}: one per transport wire format. */
    public static final int WEBSOCKET_FRAME = 0;
    private static final int FORMATS = 1;

    /**
     * This event in a transport's wire format, encoded once into off-heap memory and shared by
     * every recipient of that transport: each call returns a duplicate (own indices,
     * same bytes, not to be modified) to write as is. The socket writes it straight from that memory, so a fanout to
     * N connections neither copies nor allocates a buffer per connection.
     *
     * <p>The shared buffer is not reference counted (releasing a duplicate is a no-op): its memory
     * belongs to a direct {@link ByteBuffer} that the garbage collector frees with this event.
     *
     * @param format  a format slot, e.g. {@link #WEBSOCKET_FRAME}
     * @param encoder pure function from the JSON bytes to the wire bytes
     */
    public ByteBuf encoded(int format, UnaryOperator<byte[]> encoder) {
        ByteBuf shared = encodings.get(format); // volatile read: the bytes are fully visible
        if (shared == null) {
            byte[] bytes = encoder.apply(json);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            shared = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
            encodings.set(format, shared);
        }
        return shared.duplicate();
    }

    /**
     * This event's JSON as the value one transport hands on for every recipient (Socket.IO: a raw
     * JSON node its encoder copies without parsing), derived on first use and shared. One
     * transport only: a second {@code derive} of another type fails.
     */
    public <T> T asValue(Class<T> type, Function<byte[], T> derive) {
        Object v = value.get();
        if (v == null) {
            v = derive.apply(json);
            value.compareAndSet(null, v);
        }
        return type.cast(v);
    }

    /**
     * The event that follows this one to each of its subscribers (the {@code unread_count} frame
     * after a notification), derived on first use and then shared, with its encodings, by every
     * subscription: a user's sockets all get the same one.
     */
    public StreamEvent follower(Function<StreamEvent, StreamEvent> derive) {
        StreamEvent f = follower;
        if (f == null) {
            f = derive.apply(this);
            follower = f;
        }
        return f;
    }

    public String stream() { return stream; }
    public String excludeUserId() { return excludeUserId; }
    public long seq() { return seq; }
    public boolean isSequenced() { return seq > 0; }
    public String type() { return type; }
    public long createdAtMillis() { return createdAtMillis; }
    public long unread() { return unread; }
    /** The stream's unseen count after this event, or -1 when it did not change or is not known. */
    public long unseen() { return unseen; }
    public byte[] json() { return json; }

    @Override
    public String toString() {
        return "StreamEvent[" + stream + "#" + seq + " " + type + " " + new String(json, StandardCharsets.UTF_8) + "]";
    }
}
