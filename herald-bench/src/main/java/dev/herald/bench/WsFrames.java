package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes a server-to-client WebSocket text frame (RFC 6455: FIN, opcode 1, unmasked) into one
 * buffer, so the bare server can encode a message once and hand the same bytes to every channel.
 * Stateless and thread-safe.
 */
final class WsFrames {

    private WsFrames() {
    }

    /** One unmasked final text frame carrying {@code payload}'s readable bytes. */
    static ByteBuf text(ByteBufAllocator alloc, ByteBuf payload) {
        int len = payload.readableBytes();
        int header = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
        ByteBuf out = alloc.directBuffer(header + len);
        out.writeByte(0x81);
        if (len < 126) {
            out.writeByte(len);
        } else if (len <= 0xFFFF) {
            out.writeByte(126);
            out.writeShort(len);
        } else {
            out.writeByte(127);
            out.writeLong(len);
        }
        out.writeBytes(payload, payload.readerIndex(), len);
        return out;
    }
}
