package dev.herald.server.chat;

import dev.herald.server.stream.Streams;

import java.time.Instant;
import java.util.List;

/**
 * A stored conversation. Immutable.
 *
 * @param id             number, also the stream key {@code conv:<id>}
 * @param members        user ids, sorted
 * @param lastSeq        seq of the newest message, 0 when there is none
 * @param lastActivityAt creation or newest message time
 */
public record Conversation(long id, ConversationKind kind, String title, String createdBy, List<String> members,
                          long lastSeq, Instant createdAt, Instant lastActivityAt) {
    public Conversation {
        members = List.copyOf(members);
    }

    public String stream() {
        return Streams.conversation(id);
    }
}
