package dev.herald.socketio;

import dev.herald.socketio.engine.EnginePacket;
import java.util.ArrayList;
import java.util.List;

/**
 * A Socket.IO packet in its wire form: the Engine.IO message packets (text first, then one per
 * binary attachment), and its recovery sequence number when it is a kept broadcast. Immutable; a broadcast encodes once and hands this same list to every
 * recipient, so the bytes are shared, not copied.
 */
record EncodedPacket(List<EnginePacket> enginePackets, int size, long seq) {

    /** A packet outside the recovery log (seq 0). */
    static EncodedPacket of(String text, List<byte[]> attachments) {
        return of(text, attachments, 0);
    }

    /** A broadcast kept for recovery under sequence number {@code seq} (positive). */
    static EncodedPacket of(String text, List<byte[]> attachments, long seq) {
        List<EnginePacket> list = new ArrayList<>(1 + attachments.size());
        list.add(EnginePacket.message(text));
        int size = text.length();
        for (byte[] a : attachments) {
            list.add(EnginePacket.binary(a));
            size += a.length;
        }
        return new EncodedPacket(List.copyOf(list), size, seq);
    }
}
