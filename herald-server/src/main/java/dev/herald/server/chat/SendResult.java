package dev.herald.server.chat;

import java.util.List;

/**
 * What a send stored.
 *
 * @param replayed true when the sender had already sent this {@code client_id}: nothing new was stored
 * @param members  the conversation's members at the time of the send (who may need a notification)
 */
public record SendResult(ChatMessage message, boolean replayed, List<String> members) {
    public SendResult {
        members = List.copyOf(members);
    }
}
