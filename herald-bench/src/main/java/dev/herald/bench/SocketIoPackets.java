package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Engine.IO v4 / Socket.IO v5 text framing over a WebSocket, as much as the benchmark needs:
 * one Engine.IO packet per WebSocket text frame, the packet type is the first character
 * ({@code 0} open, {@code 2} ping, {@code 3} pong, {@code 4} message); a Socket.IO packet is the
 * rest of a message packet ({@code 0} connect, {@code 1} disconnect, {@code 2} event, {@code 4}
 * connect error) for the main namespace, so {@code 40} connects and {@code 42["ev",data]} is an
 * event. No binary attachments, no acks, no namespaces. Stateless and thread-safe.
 */
final class SocketIoPackets {

    /** What a received frame is. */
    enum Kind { OPEN, PING, CONNECTED, CONNECT_ERROR, DISCONNECT, EVENT, OTHER }

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
}
