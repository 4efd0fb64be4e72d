package dev.herald.server.transport.ws;

/**
 * Server-to-client WebSocket text frames as bytes (RFC 6455 section 5.2: FIN, text opcode,
 * unmasked payload length, payload), so a frame is encoded once per event and the same bytes
 * are written to every connection instead of each connection's encoder framing and copying the
 * payload. Pure functions.
 */
final class WsFrames {
    private WsFrames() {
    }

    /** A complete final text frame carrying {@code payload} (UTF-8 JSON). */
    static byte[] text(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) 0x81; // FIN + opcode 1 (text)
        if (n < 126) {
            frame[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = 127;
            long len = n;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (len >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, n);
        return frame;
    }
}
