package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;

import java.nio.charset.StandardCharsets;

/**
 * The binary form of a {@link StreamEvent} on a Redis channel, and of the control messages
 * beside it. Pure functions, thread-safe, no allocation beyond the result.
 *
 * <h2>Event message, version 2</h2>
 * <pre>
 * u8      version = 2
 * u8      kind    = 'E'
 * i64     origin            broker instance that published it (skips our own echo)
 * varint  seq               0 for an ephemeral event
 * i64     createdAtMillis
 * zigzag  unread            -1 when the count did not change
 * zigzag  unseen            -1 when the count did not change (absent in version 1)
 * varint  excludeUserId length + 1, UTF-8 bytes   (0: none; else sessions of that user skip it)
 * varint  stream length, UTF-8 bytes
 * varint  type length,   UTF-8 bytes
 * varint  json length,   bytes          (the message must end exactly here)
 * </pre>
 * Integers are big-endian; varints are unsigned LEB128 (at most 10 bytes). A typical event
 * (seq below 16384, counts below 64, no excluded user) costs 27 bytes besides its stream,
 * type and JSON. Version 1 messages (from a node of the release before the unseen count) are
 * still read, as events whose unseen count is not known; a version 1 node drops version 2
 * messages (logged once), so during a rolling upgrade the nodes' sockets miss some live events
 * between them and catch up from the store on their next gap or reconnect.
 *
 * <h2>Resync hint, version 2 (or 1)</h2>
 * {@code u8 2, u8 'R', i64 origin, then the node id in UTF-8}: "I dropped events while my
 * publish link was down; read the store".
 *
 * <p>A message that does not parse throws {@link MalformedMessageException} carrying a short
 * {@link MalformedMessageException#kind() kind}, so the receiver can log each kind once.
 */
final class StreamEventCodec {
    static final byte VERSION = 2;
    /** The release before the unseen count: events without it. Read, never written. */
    static final byte VERSION_1 = 1;
    static final byte EVENT = 'E';
    static final byte RESYNC = 'R';

    private StreamEventCodec() {
    }

    /** A decoded event message: the event and the broker instance that published it. */
    record Decoded(long origin, StreamEvent event) {
    }

    /** A decoded resync hint. */
    record ResyncHint(long origin, String nodeId) {
    }

    /** The message is not one we can read; {@code kind} names why, for once-per-kind logging. */
    static final class MalformedMessageException extends Exception {
        private final String kind;

        MalformedMessageException(String kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        String kind() {
            return kind;
        }
    }

    static byte[] encode(StreamEvent event, long origin) {
        byte[] stream = event.stream().getBytes(StandardCharsets.UTF_8);
        byte[] type = event.type().getBytes(StandardCharsets.UTF_8);
        byte[] json = event.json();
        byte[] exclude = event.excludeUserId() == null ? null : event.excludeUserId().getBytes(StandardCharsets.UTF_8);
        long unread = zigzag(event.unread());
        long unseen = zigzag(event.unseen());
        int size = 2 + 8 + varintSize(event.seq()) + 8 + varintSize(unread) + varintSize(unseen)
                + (exclude == null ? 1 : varintSize(exclude.length + 1L) + exclude.length)
                + varintSize(stream.length) + stream.length
                + varintSize(type.length) + type.length
                + varintSize(json.length) + json.length;
        Writer w = new Writer(new byte[size]);
        w.u8(VERSION);
        w.u8(EVENT);
        w.i64(origin);
        w.varint(event.seq());
        w.i64(event.createdAtMillis());
        w.varint(unread);
        w.varint(unseen);
        if (exclude == null) {
            w.varint(0);
        } else {
            w.varint(exclude.length + 1L);
            w.raw(exclude);
        }
        w.bytes(stream);
        w.bytes(type);
        w.bytes(json);
        return w.buf;
    }

    static byte[] encodeResyncHint(long origin, String nodeId) {
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        Writer w = new Writer(new byte[10 + node.length]);
        w.u8(VERSION);
        w.u8(RESYNC);
        w.i64(origin);
        System.arraycopy(node, 0, w.buf, w.pos, node.length);
        return w.buf;
    }

    static Decoded decode(byte[] message) throws MalformedMessageException {
        Reader r = header(message, EVENT);
        long origin = r.i64();
        long seq = r.varint();
        long createdAt = r.i64();
        long unread = unzigzag(r.varint());
        long unseen = message[0] == VERSION_1 ? -1 : unzigzag(r.varint());
        long excludeLength = r.varint();
        String exclude = excludeLength == 0 ? null : new String(r.bytes(excludeLength - 1), StandardCharsets.UTF_8);
        String stream = new String(r.bytes(), StandardCharsets.UTF_8);
        String type = new String(r.bytes(), StandardCharsets.UTF_8);
        byte[] json = r.bytes();
        if (r.pos != message.length) {
            throw new MalformedMessageException("trailing-bytes",
                    (message.length - r.pos) + " bytes after the end of the event");
        }
        if (seq < 0) {
            throw new MalformedMessageException("bad-seq", "seq out of range");
        }
        return new Decoded(origin, new StreamEvent(stream, seq, type, createdAt, unread, unseen, json, exclude));
    }

    static ResyncHint decodeResyncHint(byte[] message) throws MalformedMessageException {
        Reader r = header(message, RESYNC);
        long origin = r.i64();
        return new ResyncHint(origin, new String(message, r.pos, message.length - r.pos, StandardCharsets.UTF_8));
    }

    private static Reader header(byte[] message, byte expectedKind) throws MalformedMessageException {
        if (message == null || message.length < 2) {
            throw new MalformedMessageException("truncated", "message shorter than its header");
        }
        if (message[0] != VERSION && message[0] != VERSION_1) {
            throw new MalformedMessageException("unknown-version", "version " + (message[0] & 0xff) + ", expected " + VERSION);
        }
        if (message[1] != expectedKind) {
            throw new MalformedMessageException("unknown-kind", "kind " + (message[1] & 0xff) + ", expected " + expectedKind);
        }
        Reader r = new Reader(message);
        r.pos = 2;
        return r;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static final class Writer {
        final byte[] buf;
        int pos;

        Writer(byte[] buf) {
            this.buf = buf;
        }

        void u8(int v) {
            buf[pos++] = (byte) v;
        }

        void i64(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void bytes(byte[] b) {
            varint(b.length);
            raw(b);
        }

        void raw(byte[] b) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }
    }

    private static final class Reader {
        final byte[] buf;
        int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        long i64() throws MalformedMessageException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        long varint() throws MalformedMessageException {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                need(1);
                byte b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new MalformedMessageException("bad-varint", "varint longer than 10 bytes");
        }

        byte[] bytes() throws MalformedMessageException {
            return bytes(varint());
        }

        byte[] bytes(long len) throws MalformedMessageException {
            if (len < 0 || len > buf.length - pos) {
                throw new MalformedMessageException("truncated", "field of " + len + " bytes, " + (buf.length - pos) + " left");
            }
            byte[] out = new byte[(int) len];
            System.arraycopy(buf, pos, out, 0, out.length);
            pos += out.length;
            return out;
        }

        private void need(int n) throws MalformedMessageException {
            if (buf.length - pos < n) {
                throw new MalformedMessageException("truncated", "needed " + n + " bytes at offset " + pos);
            }
        }
    }
}
