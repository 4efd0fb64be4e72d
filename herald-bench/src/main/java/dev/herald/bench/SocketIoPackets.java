package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Engine.IO v4 / Socket.IO v5 text framing over a WebSocket, as much as the benchmark needs:
 * one Engine.IO packet per WebSocket text frame, the packet type is the first character
 * ({@code 0} open, {@code 2} ping, {@code 3} pong, {@code 4} message); a Socket.IO packet is the
 * rest of a message packet ({@code 0} connect, {@code 1} disconnect, {@code 2} event, {@code 3}
 * ack, {@code 4} connect error) for the main namespace, so {@code 40} connects (optionally with
 * an auth object, {@code 40{"token":...}}), {@code 42["ev",data]} is an event, {@code 427["ev",data]}
 * an event asking for ack 7 and {@code 437[answer]} that ack. No binary attachments, no
 * namespaces. Stateless and thread-safe.
 */
final class SocketIoPackets {

    /** What a received frame is. */
    enum Kind { OPEN, PING, CONNECTED, CONNECT_ERROR, DISCONNECT, EVENT, ACK, OTHER }

    static final String CONNECT = "40";
    static final String PONG = "3";

    private SocketIoPackets() {
    }

    /** Classifies the text frame in {@code buf} (readable bytes) without consuming it. */
    static Kind kind(ByteBuf buf) {
        int n = buf.readableBytes();
        if (n == 0) {
            return Kind.OTHER;
        }
        int base = buf.readerIndex();
        byte engine = buf.getByte(base);
        switch (engine) {
            case '0':
                return Kind.OPEN;
            case '2':
                return n == 1 || buf.getByte(base + 1) != 'p' ? Kind.PING : Kind.OTHER;
            case '4':
                if (n < 2) {
                    return Kind.OTHER;
                }
                return switch (buf.getByte(base + 1)) {
                    case '0' -> Kind.CONNECTED;
                    case '1' -> Kind.DISCONNECT;
                    case '2' -> Kind.EVENT;
                    case '3' -> Kind.ACK;
                    case '4' -> Kind.CONNECT_ERROR;
                    default -> Kind.OTHER;
                };
            default:
                return Kind.OTHER;
        }
    }

    /**
     * The event name of a {@code 42["name",...]} frame, or null when the frame is not an event
     * with a plain string name.
     */
    static String eventName(ByteBuf buf) {
        int base = buf.readerIndex();
        int n = buf.readableBytes();
        if (n < 6 || buf.getByte(base) != '4' || buf.getByte(base + 1) != '2'
                || buf.getByte(base + 2) != '[' || buf.getByte(base + 3) != '"') {
            return null;
        }
        int start = base + 4;
        int end = buf.writerIndex();
        for (int i = start; i < end; i++) {
            byte b = buf.getByte(i);
            if (b == '\\') {
                return null;
            }
            if (b == '"') {
                return buf.toString(start, i - start, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The frame text of event {@code name} with the JSON {@code dataJson} as its one argument. */
    static String event(String name, String dataJson) {
        return "42[\"" + name + "\"," + dataJson + "]";
    }

    /** As {@link #event(String, String)}, asking the server for ack {@code ackId} (0 or more). */
    static String event(long ackId, String name, String dataJson) {
        if (ackId < 0) {
            throw new IllegalArgumentException("ackId: " + ackId + " is negative");
        }
        return "42" + ackId + "[\"" + name + "\"," + dataJson + "]";
    }

    /** The CONNECT packet of the main namespace with the JSON object {@code authJson} as its auth. */
    static String connect(String authJson) {
        return CONNECT + authJson;
    }

    /**
     * The bytes an event frame named {@code name} without an ack id starts with:
     * {@code 42["name",}. Test a frame with {@link FrameScanner#startsWith}: cheaper than
     * {@link #eventName}, which copies the name.
     */
    static byte[] eventPrefix(String name) {
        return ("42[\"" + name + "\",").getBytes(StandardCharsets.UTF_8);
    }

    /** The id of a {@code 43<id>[...]} ack frame, or -1 when the frame is not an ack with an id. */
    static long ackId(ByteBuf buf) {
        int base = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - base < 4 || buf.getByte(base) != '4' || buf.getByte(base + 1) != '3') {
            return -1;
        }
        long id = 0;
        int i = base + 2;
        for (; i < end && i - base < 20; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            id = id * 10 + (b - '0');
        }
        return i > base + 2 && i < end && buf.getByte(i) == '[' ? id : -1;
    }

    /**
     * Whether the ack frame's first argument is an object whose first key is {@code key}: how a
     * refusal ({@code 43<id>[{"error":...}]}) is told from an answer.
     */
    static boolean ackStartsWithKey(ByteBuf buf, byte[] key) {
        int i = buf.readerIndex() + 2;
        int end = buf.writerIndex();
        while (i < end && buf.getByte(i) >= '0' && buf.getByte(i) <= '9') {
            i++;
        }
        if (end - i < 2 + key.length || buf.getByte(i) != '[' || buf.getByte(i + 1) != '{') {
            return false;
        }
        for (int j = 0; j < key.length; j++) {
            if (buf.getByte(i + 2 + j) != key[j]) {
                return false;
            }
        }
        return true;
    }
}
