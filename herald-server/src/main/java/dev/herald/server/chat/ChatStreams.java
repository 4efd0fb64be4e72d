package dev.herald.server.chat;

/**
 * Stream keys of chat: {@code conv:<id>} (a conversation's messages, sequenced, plus its
 * ephemeral typing, receipts and reactions) and {@code chatuser:<userId>} (ephemeral only:
 * presence of partners, status changes, "added to a conversation").
 */
public final class ChatStreams {
    public static final String CONVERSATION_PREFIX = "conv:";
    public static final String USER_PREFIX = "chatuser:";

    private ChatStreams() {
    }

    public static String conversation(long id) {
        return CONVERSATION_PREFIX + id;
    }

    public static String user(String userId) {
        return USER_PREFIX + userId;
    }

    /** The conversation id of a {@code conv:} key, or -1 for any other key. */
    public static long conversationId(String stream) {
        if (!stream.startsWith(CONVERSATION_PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(stream.substring(CONVERSATION_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
