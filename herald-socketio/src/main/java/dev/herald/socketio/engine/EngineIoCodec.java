package dev.herald.socketio.engine;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pure Engine.IO v4 encoding: packets as text (WebSocket text frames) and payloads for HTTP
 * long-polling, where packets are joined by the record separator {@code \u001e} and binary
 * packets travel as {@code b} + base64.
 *
 * <p>Stateless and thread-safe; no I/O.
 */
public final class EngineIoCodec {
    /** Separates packets in a long-polling payload. */
    public static final char RECORD_SEPARATOR = '\u001e';

    private EngineIoCodec() {
    }

    /** Decodes one packet from its text form; {@code b...} is a base64 binary message. */
    public static EnginePacket decodePacket(String s) throws EngineDecodeException {
        if (s == null || s.isEmpty()) {
            throw new EngineDecodeException("empty packet");
        }
        char first = s.charAt(0);
        if (first == 'b') {
            try {
                return EnginePacket.binary(Base64.getDecoder().decode(s.substring(1)));
            } catch (IllegalArgumentException e) {
                throw new EngineDecodeException("invalid base64 in binary packet");
            }
        }
        EnginePacketType type = EnginePacketType.fromCode(first);
        if (type == null) {
            throw new EngineDecodeException("unknown packet type '" + first + "'");
        }
        return EnginePacket.of(type, s.substring(1));
    }

    /** Encodes a packet for a long-polling payload (binary as base64). */
    public static String encodeForPolling(EnginePacket p) {
        if (p.isBinary()) {
            return "b" + Base64.getEncoder().encodeToString(p.binaryData());
        }
        return p.type().code() + p.text();
    }

    /** Decodes a long-polling request body into its packets; an empty body is invalid. */
    public static List<EnginePacket> decodePayload(String body) throws EngineDecodeException {
        if (body == null || body.isEmpty()) {
            throw new EngineDecodeException("empty payload");
        }
        List<EnginePacket> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = body.indexOf(RECORD_SEPARATOR, start);
            out.add(decodePacket(end < 0 ? body.substring(start) : body.substring(start, end)));
            if (end < 0) {
                return out;
            }
            start = end + 1;
        }
    }

    /** Encodes packets as one long-polling payload. */
    public static String encodePayload(List<EnginePacket> packets) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < packets.size(); i++) {
            if (i > 0) {
                sb.append(RECORD_SEPARATOR);
            }
            sb.append(encodeForPolling(packets.get(i)));
        }
        return sb.toString();
    }
}
