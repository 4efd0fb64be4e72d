package dev.herald.server.chat;

/**
 * A chat request the caller cannot have: the code is what the client sees on the socket
 * ({@code error.code}); transports map it to their own form (HTTP status, Socket.IO ack).
 */
public class ChatException extends RuntimeException {
    /** Why a request was refused. */
    public enum Code {
        /** The conversation does not exist or the caller is not a member: the same answer for both. */
        CONVERSATION_NOT_FOUND("conversation_not_found"),
        /** No such message in the conversation. */
        MESSAGE_NOT_FOUND("message_not_found"),
        /** A field is missing or malformed; {@link #field()} names it. */
        INVALID_FIELD("invalid_frame"),
        /** The content is longer than the configured limit. */
        CONTENT_TOO_LONG("content_too_long"),
        /** Typing events over their rate, or sends over what the node's database keeps up with: retry later. */
        RATE_LIMITED("rate_limited");

        private final String wire;

        Code(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private final Code code;
    private final String field;

    /** Without a stack trace: a refused request, answered to its client, is not a fault of the server. */
    public ChatException(Code code, String field, String message) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public static ChatException notFound(long conversationId) {
        return new ChatException(Code.CONVERSATION_NOT_FOUND, "conversation_id",
                "no conversation " + conversationId + " that you are a member of");
    }

    public static ChatException invalid(String field, String message) {
        return new ChatException(Code.INVALID_FIELD, field, field + ": " + message);
    }

    public Code code() {
        return code;
    }

    /** The offending field, or null. */
    public String field() {
        return field;
    }
}
