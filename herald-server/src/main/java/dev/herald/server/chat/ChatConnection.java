package dev.herald.server.chat;

import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.stream.Streams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The chat state of one client connection, whatever its transport ({@code /ws/chat}, Socket.IO):
 * the user's own {@code chatuser:} stream, the conversations it joined (each a resumable
 * {@code conv:<id>} subscription, and "in the chat" for {@link ConversationViewers}), and where
 * it typed. Transports parse their frames, call this and {@link ChatService}, and encode answers;
 * they hold no chat rules.
 *
 * <p>Limits: at most {@link ChatSettings#maxJoinsPerConnection()} conversations joined (or being
 * joined) at once; one join of a conversation in flight at a time.
 *
 * <p>Threading: confined to the session's event loop. Service calls run on {@code blocking}
 * (they touch the store) and their results or failures come back on the loop; a result that
 * arrives after the connection closed is dropped.
 */
public final class ChatConnection {
    /** What a join found, handed over on the loop before any message of the conversation. */
    public record Joined(Conversation conversation, long lastSeq, long lastReadSeq, long since) {
        public long unread() {
            return Math.max(0, lastSeq - lastReadSeq);
        }
    }

    private final ChatService chat;
    private final DeliveryHub hub;
    private final Session session;
    private final Executor blocking;
    // All below: only on the session's loop.
    private StreamSubscription personal;
    private final Map<Long, StreamSubscription> joined = new HashMap<>();
    private final Set<Long> joining = new HashSet<>();
    private final Set<Long> typedIn = new HashSet<>();
    private boolean closed;

    public ChatConnection(ChatService chat, DeliveryHub hub, Session session, Executor blocking) {
        this.chat = chat;
        this.hub = hub;
        this.session = session;
        this.blocking = blocking;
    }

    public String userId() {
        return session.userId();
    }

    /** Follows the user's own stream; {@code onConnected} runs on the loop once it is live. */
    public void open(Runnable onConnected) {
        personal = hub.subscribe(session, Streams.chatUser(session.userId()), -1, TypeFilter.ALL, st -> onConnected.run());
    }

    /**
     * Joins a conversation after checking membership: {@code onJoined} runs on the loop before any
     * of its messages; with {@code since >= 0} every message after it is replayed, then live ones.
     * Joining again replaces the subscription (e.g. to resume from another seq).
     *
     * @throws ChatException at once when a join of it is in flight or the connection is at its limit
     */
    public void join(long conversationId, long since, Consumer<Joined> onJoined, Consumer<RuntimeException> onError) {
        if (joining.contains(conversationId)) {
            throw ChatException.invalid("conversation_id", "a join of this conversation is in progress");
        }
        int max = chat.settings().maxJoinsPerConnection();
        if (!joined.containsKey(conversationId) && joined.size() + joining.size() >= max) {
            throw new ChatException(ChatException.Code.INVALID_FIELD, "conversation_id",
                    "conversation_id: at most " + max + " conversations joined per connection; leave one first");
        }
        joining.add(conversationId);
        record Found(Conversation conversation, Membership membership) {
        }
        String user = session.userId();
        call(() -> new Found(chat.conversation(user, conversationId), chat.requireMember(user, conversationId)),
                found -> {
                    joining.remove(conversationId);
                    StreamSubscription previous = joined.remove(conversationId);
                    if (previous != null) {
                        hub.unsubscribe(previous);
                    }
                    joined.put(conversationId, hub.subscribe(session, Streams.conversation(conversationId), since,
                            TypeFilter.ALL, st -> onJoined.accept(new Joined(found.conversation(), st.lastSeq(),
                                    found.membership().lastReadSeq(), since < 0 ? -1 : Math.min(since, st.lastSeq())))));
                    chat.viewers().joined(conversationId, user, session.id());
                },
                failure -> {
                    joining.remove(conversationId);
                    onError.accept(failure);
                });
    }

    /**
     * Leaves a joined conversation: no more of its events, and no longer "in the chat".
     *
     * @throws ChatException {@code conversation_not_found} when this connection has not joined it
     */
    public void leave(long conversationId) {
        StreamSubscription sub = joined.remove(conversationId);
        if (sub == null) {
            throw new ChatException(ChatException.Code.CONVERSATION_NOT_FOUND, "conversation_id",
                    "this connection has not joined conversation " + conversationId);
        }
        hub.unsubscribe(sub);
        chat.viewers().left(conversationId, session.userId(), session.id());
    }

    public boolean hasJoined(long conversationId) {
        return joined.containsKey(conversationId);
    }

    /** {@link ChatService#typing}; the connection remembers it, to end the typing when it closes. */
    public void typing(long conversationId, Consumer<RuntimeException> onError) {
        call(() -> {
            chat.typing(session.userId(), conversationId);
            return conversationId;
        }, typedIn::add, onError);
    }

    public void stopTyping(long conversationId, Consumer<RuntimeException> onError) {
        call(() -> {
            chat.stopTyping(session.userId(), conversationId);
            return conversationId;
        }, typedIn::remove, onError);
    }

    /** Runs a service call on the blocking executor; the result or the failure comes back on the loop. */
    public <T> void call(Supplier<T> work, Consumer<T> onResult, Consumer<RuntimeException> onError) {
        onLoop(CompletableFuture.supplyAsync(work, blocking), onResult, onError);
    }

    /**
     * Hands the outcome of work that completes elsewhere (a send queued by
     * {@link ChatService#sendAsync}) to this connection's loop, unless the connection closed
     * meanwhile. A failure arrives unwrapped; one that is not a RuntimeException is wrapped in
     * an IllegalStateException (answered as an internal error).
     */
    public <T> void onLoop(CompletableFuture<T> work, Consumer<T> onResult, Consumer<RuntimeException> onError) {
        work.whenComplete((result, failure) -> {
            Runnable answer = failure == null ? () -> onResult.accept(result) : () -> onError.accept(unwrap(failure));
            if (session.eventLoop().inEventLoop()) {
                if (!closed) {
                    answer.run();
                }
            } else {
                session.eventLoop().execute(() -> {
                    if (!closed) {
                        answer.run();
                    }
                });
            }
        });
    }

    private static RuntimeException unwrap(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    /** The transport can take more bytes again. */
    public void writable() {
        if (personal != null) {
            hub.writable(personal);
        }
        joined.values().forEach(hub::writable);
    }

    /** The connection closed: drop every subscription, leave every conversation, end typing. Idempotent. */
    public void closed() {
        if (closed) {
            return;
        }
        closed = true;
        if (personal != null) {
            hub.unsubscribe(personal);
        }
        for (Map.Entry<Long, StreamSubscription> e : joined.entrySet()) {
            hub.unsubscribe(e.getValue());
            chat.viewers().left(e.getKey(), session.userId(), session.id());
        }
        joined.clear();
        joining.clear();
        chat.endTyping(session.userId(), Set.copyOf(typedIn));
        typedIn.clear();
    }
}
