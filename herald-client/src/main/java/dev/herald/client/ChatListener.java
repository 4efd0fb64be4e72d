package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Chat events of the chat socket. Every method has an empty default. Called on the client's
 * event thread, one at a time, in arrival order; a listener that throws is logged and ignored.
 */
public interface ChatListener {
    /** A message of a joined conversation, each once (the {@code ack} and {@code message} copies are merged), also your own. */
    default void onMessage(ChatMessage message) {
    }

    /** {@code typing} ({@code typing} true) or {@code stop_typing} of another member. */
    default void onTyping(long conversationId, String userId, boolean typing) {
    }

    /** A member's read marker moved to {@code seq}. */
    default void onReadReceipt(long conversationId, String userId, long seq) {
    }

    default void onReaction(Reaction reaction) {
    }

    /** A conversation partner came online or went offline. */
    default void onPresence(Presence presence) {
    }

    /** A partner (or the user on another connection) set a status. */
    default void onStatusUpdated(String userId, String status) {
    }

    /** A conversation with this user was created. */
    default void onConversationAdded(JsonNode conversation) {
    }
}
