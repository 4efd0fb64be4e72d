package dev.herald.server.chat;

import dev.herald.server.stream.Streams;

/**
 * Stream keys of chat, in chat's words: {@code conv:<id>} (a conversation's messages, sequenced,
 * plus its ephemeral typing, receipts and reactions) and {@code chatuser:<userId>} (ephemeral
 * only: presence of partners, status changes, "added to a conversation"). The names themselves
 * are made in one place, {@link Streams}; this class only says them as chat code reads them.
 */
public final class ChatStreams {
    public static final String CONVERSATION_PREFIX = Streams.CONVERSATION_PREFIX;
    public static final String USER_PREFIX = Streams.CHAT_USER_PREFIX;

    private ChatStreams() {
    }

    public static String conversation(long id) {
        return Streams.conversation(id);
    }

    public static String user(String userId) {
        return Streams.chatUser(userId);
    }

    /** The conversation id of a {@code conv:} key, or -1 for any other key. */
    public static long conversationId(String stream) {
        return Streams.conversationId(stream);
    }
}
