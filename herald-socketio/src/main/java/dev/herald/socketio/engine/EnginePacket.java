package dev.herald.socketio.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Engine.IO packet: a type and either a text payload or a binary payload (binary only for
 * {@link EnginePacketType#MESSAGE}).
 *
 * <p>Immutable and safe to share between threads and recipients: a broadcast creates one packet
 * and hands the same instance to every session, so its UTF-8 wire form is computed once
 * ({@link #utf8()}). The byte array given to {@link #binary(byte[])} must not be modified afterwards.
 */
public final class EnginePacket {
    static final EnginePacket PING = new EnginePacket(EnginePacketType.PING, "", null);
    static final EnginePacket PONG = new EnginePacket(EnginePacketType.PONG, "", null);
    static final EnginePacket NOOP = new EnginePacket(EnginePacketType.NOOP, "", null);
    static final EnginePacket CLOSE = new EnginePacket(EnginePacketType.CLOSE, "", null);

    private final EnginePacketType type;
    private final String text;
    private final byte[] binary;
    /** The text frame form, computed on first use; a benign race may compute it twice. */
    private volatile byte[] utf8;

    private EnginePacket(EnginePacketType type, String text, byte[] binary) {
        this.type = type;
        this.text = text;
        this.binary = binary;
    }

    /** A packet of the given type with a text payload (empty string for none). */
    public static EnginePacket of(EnginePacketType type, String text) {
        return new EnginePacket(Objects.requireNonNull(type, "type"), Objects.requireNonNull(text, "text"), null);
    }

    /** A MESSAGE packet carrying text. */
    public static EnginePacket message(String text) {
        return of(EnginePacketType.MESSAGE, text);
    }

    /** A MESSAGE packet carrying binary data; the array is not copied. */
    public static EnginePacket binary(byte[] data) {
        return new EnginePacket(EnginePacketType.MESSAGE, null, Objects.requireNonNull(data, "data"));
    }

    public EnginePacketType type() {
        return type;
    }

    /** The text payload, or {@code null} for a binary message. */
    public String text() {
        return text;
    }

    /** The binary payload, or {@code null} for a text packet. Do not modify. */
    public byte[] binaryData() {
        return binary;
    }

    public boolean isBinary() {
        return binary != null;
    }

    /** The WebSocket text frame form ({@code type code + text}) in UTF-8, computed once. */
    public byte[] utf8() {
        byte[] b = utf8;
        if (b == null) {
            b = (type.code() + text).getBytes(StandardCharsets.UTF_8);
            utf8 = b;
        }
        return b;
    }

    /** Approximate size on the wire, used for outbound byte caps. */
    public int wireSize() {
        return binary != null ? binary.length + 1 : text.length() + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnginePacket p && p.type == type && Objects.equals(p.text, text)
                && Arrays.equals(p.binary, binary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, text, Arrays.hashCode(binary));
    }

    @Override
    public String toString() {
        return binary != null ? type + "<" + binary.length + " bytes>" : type + "\"" + text + "\"";
    }
}
