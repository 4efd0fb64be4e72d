package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Herald's {@code /ws/chat} frames (docs/chat-protocol.md), as much as the chat scenario needs:
 * the two client frames it sends ({@code join}, {@code send_message}) and the kind of each server
 * frame, told by its leading {@code "type"} (Herald writes the type first in every frame). The
 * same two requests as Herald's Socket.IO events (docs/socketio.md: {@code joinConversation},
 * {@code sendMessage}, both with an ack), whose {@code newMessage} event carries the same
 * message object with the same {@code sender_id} and {@code seq}.
 *
 * <p>The benchmark payload travels as the message's {@code content}: its JSON text, which the
 * server echoes as a JSON string with escaped quotes in both the {@code message} frame (top
 * level) and the {@code ack} (under {@code message}); {@link Payload#T_IN_TEXT} finds the send
 * time there. Stateless and thread-safe.
 */
final class HeraldChatFrames {

    /** What a received frame is. */
    enum Kind { CONNECTED, JOINED, MESSAGE, ACK, ERROR, OTHER }

    private static final byte[] CONNECTED = type("connected");
    private static final byte[] JOINED = type("joined");
    private static final byte[] MESSAGE = type("message");
    private static final byte[] ACK = type("ack");
    private static final byte[] ERROR = type("error");

    private HeraldChatFrames() {
    }

    private static byte[] type(String name) {
        return ("{\"type\":\"" + name + "\"").getBytes(StandardCharsets.US_ASCII);
    }

    /** Classifies the text frame in {@code buf} (readable bytes) without consuming it. */
    static Kind kind(ByteBuf buf) {
        if (FrameScanner.startsWith(buf, MESSAGE)) {
            return Kind.MESSAGE;   // the most frequent first
        }
        if (FrameScanner.startsWith(buf, ACK)) {
            return Kind.ACK;
        }
        if (FrameScanner.startsWith(buf, CONNECTED)) {
            return Kind.CONNECTED;
        }
        if (FrameScanner.startsWith(buf, JOINED)) {
            return Kind.JOINED;
        }
        if (FrameScanner.startsWith(buf, ERROR)) {
            return Kind.ERROR;
        }
        return Kind.OTHER;
    }

    /** The bytes that mark a {@code message} frame as sent by {@code user}: {@code "sender_id":"user"}. */
    static byte[] sender(String user) {
        return ("\"sender_id\":" + string(user)).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code join} of a conversation, live only (no {@code since}). */
    static String join(long conversationId) {
        return "{\"type\":\"join\",\"conversation_id\":" + conversationId + "}";
    }

    /** {@code send_message} with {@code content} as its text and {@code clientId} for the ack. */
    static String sendMessage(long conversationId, String clientId, String content) {
        return "{\"type\":\"send_message\",\"conversation_id\":" + conversationId
                + ",\"client_id\":" + string(clientId) + ",\"content\":" + string(content) + "}";
    }

    /** Herald's Socket.IO {@code joinConversation}, live only, asking for ack {@code ackId}. */
    static String joinEvent(long ackId, long conversationId) {
        return SocketIoPackets.event(ackId, "joinConversation", "{\"conversationId\":" + conversationId + "}");
    }

    /** Herald's Socket.IO {@code sendMessage} with {@code content} as its text, asking for ack {@code ackId}. */
    static String sendMessageEvent(long ackId, long conversationId, String clientId, String content) {
        return SocketIoPackets.event(ackId, "sendMessage", "{\"conversationId\":" + conversationId
                + ",\"clientId\":" + string(clientId) + ",\"content\":" + string(content) + "}");
    }

    /** The body of {@code POST /api/v1/backend/conversations} for a direct conversation of two users. */
    static String directConversation(String a, String b) {
        return "{\"kind\":\"direct\",\"members\":[" + string(a) + "," + string(b) + "]}";
    }

    /** {@code s} as a JSON string literal: quotes and backslashes escaped (no control characters expected). */
    static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20) {
                throw new IllegalArgumentException("s: control character at " + i);
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }
}
