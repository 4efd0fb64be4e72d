package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads single fields out of the flat JSON frames the benchmark exchanges without parsing them,
 * so that the load generator can keep up with hundreds of thousands of frames a second.
 *
 * <p>Only what the benchmark's own payloads need: a key is found by its exact quoted spelling
 * followed by a colon ({@code "t":}), the first occurrence wins, nesting is ignored (a key of a
 * nested object matches too). Not a JSON parser. The payload may also travel as the text of a
 * string value (Herald chat's {@code content}), with its quotes escaped: {@link #keyInText}
 * finds its keys there. Stateless and thread-safe.
 */
final class FrameScanner {

    private FrameScanner() {
    }

    /** The bytes to search for key {@code k}: {@code "k":}. */
    static byte[] key(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The bytes of key {@code k} inside a JSON string whose text is itself JSON, as a server
     * writes it with its quotes escaped: {@code \"k\":}. {@link #longField} reads the value after
     * it like any key; {@link #key} never matches there (its quote is preceded by a backslash and
     * followed by {@code k\"}, not {@code k"}).
     */
    static byte[] keyInText(String name) {
        return ("\\\"" + name + "\\\":").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The integer value of the first {@code key} in the readable bytes of {@code buf}, or
     * {@code missing} when the key is absent or not followed by an integer. Does not move the
     * reader index.
     */
    static long longField(ByteBuf buf, byte[] key, long missing) {
        int at = indexOf(buf, key, buf.readerIndex());
        if (at < 0) {
            return missing;
        }
        int i = at + key.length;
        int end = buf.writerIndex();
        while (i < end && buf.getByte(i) == ' ') {
            i++;
        }
        boolean negative = false;
        if (i < end && buf.getByte(i) == '-') {
            negative = true;
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < end) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            digits++;
            i++;
        }
        if (digits == 0) {
            return missing;
        }
        return negative ? -value : value;
    }

    /**
     * The text of the first {@code key} whose value is a JSON string without escapes, or
     * {@code null} when absent or not a plain string.
     */
    static String stringField(ByteBuf buf, byte[] key) {
        int at = indexOf(buf, key, buf.readerIndex());
        if (at < 0) {
            return null;
        }
        int i = at + key.length;
        int end = buf.writerIndex();
        while (i < end && buf.getByte(i) == ' ') {
            i++;
        }
        if (i >= end || buf.getByte(i) != '"') {
            return null;
        }
        int start = ++i;
        while (i < end) {
            byte b = buf.getByte(i);
            if (b == '\\') {
                return null;
            }
            if (b == '"') {
                return buf.toString(start, i - start, StandardCharsets.UTF_8);
            }
            i++;
        }
        return null;
    }

    /** Whether the readable bytes of {@code buf} start with {@code prefix}. */
    static boolean startsWith(ByteBuf buf, byte[] prefix) {
        if (buf.readableBytes() < prefix.length) {
            return false;
        }
        int base = buf.readerIndex();
        for (int j = 0; j < prefix.length; j++) {
            if (buf.getByte(base + j) != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first occurrence of {@code needle} at or after {@code from}, or -1. */
    static int indexOf(ByteBuf buf, byte[] needle, int from) {
        int last = buf.writerIndex() - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (buf.getByte(i) != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
