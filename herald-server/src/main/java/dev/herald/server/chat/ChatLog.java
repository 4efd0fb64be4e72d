package dev.herald.server.chat;

import dev.herald.server.stream.StreamEvent;
import dev.herald.server.delivery.StreamLog;
import dev.herald.server.stream.StreamState;
import dev.herald.server.stream.Streams;

import java.util.List;

/**
 * Chat streams as the delivery core reads them to resume a joined conversation: a
 * {@code conv:<id>} stream is its stored messages, encoded exactly as live {@code message}
 * frames, so a reconnecting client gets what it missed with no gap and no duplicate. A
 * {@code chatuser:} stream is ephemeral only: always empty. Unread counts are per member and
 * travel in {@code joined}, so the state's unread is always 0.
 *
 * <p>Blocking (store reads); called on the blocking executor. Thread-safe.
 */
public final class ChatLog implements StreamLog {
    private final ChatStore store;

    public ChatLog(ChatStore store) {
        this.store = store;
    }

    @Override
    public StreamState state(String stream) {
        long id = Streams.conversationId(stream);
        return id < 0 ? StreamState.EMPTY : new StreamState(store.lastSeq(id), 0, 0);
    }

    @Override
    public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
        long id = Streams.conversationId(stream);
        if (id < 0) {
            return List.of();
        }
        return store.readSince(id, afterSeq, limit).stream().map(ChatFrames::message).toList();
    }

    /** Routes {@code conv:} and {@code chatuser:} streams to {@code chat}, all others to {@code others}. */
    public static StreamLog routing(ChatLog chat, StreamLog others) {
        return StreamLog.routed(Streams.CONVERSATION_PREFIX, chat,
                StreamLog.routed(Streams.CHAT_USER_PREFIX, chat, others));
    }
}
