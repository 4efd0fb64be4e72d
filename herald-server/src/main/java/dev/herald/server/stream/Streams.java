package dev.herald.server.stream;

/**
 * The names of Herald's streams, in one place. A stream key is {@code <kind>:<id>}:
 *
 * <ul>
 *   <li>{@code user:<userId>}: a user's own notifications, sequenced and stored, with unread
 *       counts ({@link #user});</li>
 *   <li>{@code <type>:<id>}: a topic an app publishes to and a token grants, e.g. {@code branch:7}
 *       ({@link #topic}); any kind but the ones below;</li>
 *   <li>{@code conv:<conversationId>}: a chat conversation's messages, sequenced, plus its
 *       ephemeral typing, receipts and reactions ({@link #conversation});</li>
 *   <li>{@code chatuser:<userId>}: ephemeral chat events for one user: partners' presence,
 *       status changes, "added to a conversation" ({@link #chatUser}).</li>
 * </ul>
 *
 * <p>Pure functions; thread-safe.
 */
public final class Streams {
    public static final String USER_PREFIX = "user:";
    public static final String CONVERSATION_PREFIX = "conv:";
    public static final String CHAT_USER_PREFIX = "chatuser:";

    private Streams() {
    }

    /** A user's own notification stream. */
    public static String user(String userId) {
        return USER_PREFIX + userId;
    }

    /** Whether a stream is a user's own notification stream (the only kind with read state). */
    /** The user id of a user stream ({@code user:42} -> {@code 42}). */
    public static String userId(String userStream) {
        if (!isUser(userStream)) {
            throw new IllegalArgumentException("not a user stream: " + userStream);
        }
        return userStream.substring(USER_PREFIX.length());
    }

    public static boolean isUser(String stream) {
        return stream.startsWith(USER_PREFIX);
    }

    /** A topic's stream, {@code type:id}; the caller has checked both parts. */
    public static String topic(String type, String id) {
        return type + ":" + id;
    }

    /** A chat conversation's stream. */
    public static String conversation(long conversationId) {
        return CONVERSATION_PREFIX + conversationId;
    }

    /** A user's ephemeral chat stream. */
    public static String chatUser(String userId) {
        return CHAT_USER_PREFIX + userId;
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
