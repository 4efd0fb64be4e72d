package dev.herald.bench;

/**
 * The benchmark message: {@code {"t":<System.nanoTime() at send>,"i":<index>,"p":"<padding>"}},
 * about 100 bytes on the wire with each server's framing. Publisher and clients live in one JVM,
 * so {@code t} and the receive time come from the same monotonic clock. Thread-safe.
 */
final class Payload {

    static final byte[] T = FrameScanner.key("t");
    static final byte[] I = FrameScanner.key("i");
    static final byte[] SEQ = FrameScanner.key("seq");
    /** {@code t} of a payload carried as the text of a string (Herald chat's {@code content}). */
    static final byte[] T_IN_TEXT = FrameScanner.keyInText("t");
    private static final String PAD = "x".repeat(56);

    private Payload() {
    }

    static String of(long sendNanos, long index) {
        return "{\"t\":" + sendNanos + ",\"i\":" + index + ",\"p\":\"" + PAD + "\"}";
    }
}
