package dev.herald.server.chat;

/**
 * What a send stored.
 *
 * @param replayed true when the sender had already sent this {@code client_id}: nothing new was stored
 */
public record SendResult(ChatMessage message, boolean replayed) {
}
