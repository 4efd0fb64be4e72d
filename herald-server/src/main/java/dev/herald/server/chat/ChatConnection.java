package dev.herald.server.chat;

import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.stream.Streams;

import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 * <p>Backpressure: a send the node's chat write queue has no room for is not refused but held,
 * in order, and the transport stops reading the connection ({@link Reads#pause}) until the store
 * has room again ({@link ChatService#whenStoreHasRoom}); then the held sends are queued and
 * reading resumes. A client sending faster than the database commits is thus slowed down by TCP
 * instead of being answered {@code rate_limited} per message (which cost the node more CPU than
 * storing did). At most {@link #MAX_HELD_BYTES} of sends are held per connection (about what a
 * transport had already read when it paused) and {@link ChatService#MAX_HELD_BYTES_PER_NODE} on
 * the node, each for at most {@link #MAX_HOLD}; beyond either, the send is answered
 * {@code rate_limited} as before.
 *
 * <p>Threading: confined to the session's event loop. Service calls run on {@code blocking}
 * (they touch the store) and their results or failures come back on the loop; a result that
 * arrives after the connection closed is dropped.
 */
public final class ChatConnection {
    /**
     * Sends held at most while the store has no room, in bytes of memory (a send weighs twice its
     * characters plus 256): a socket read is at most 64 KiB, so this holds what one read brought
     * and the next; more are refused at once.
     */
    public static final long MAX_HELD_BYTES = 128L << 10;
    /**
     * How long a send is held at most: the writer refuses sends while its oldest has waited 2 s
     * ({@code JdbcChatStore.WRITE_LIMITS}), so a send still without room after 10 s means the
     * database is not keeping up at all, and the client hears so.
     */
    public static final Duration MAX_HOLD = Duration.ofSeconds(10);

    /** How a transport stops and resumes reading its connection; both called on the session's loop. */
    public interface Reads {
        /** Reads nothing more from the client until {@link #resume}; frames already read may still arrive. */
        void pause();

        void resume();

        /** For transports that cannot pause (e.g. HTTP long-polling): sends are only held. */
        Reads NONE = new Reads() {
            @Override
            public void pause() {
            }

            @Override
            public void resume() {
            }
        };
    }

    /** A send waiting for room in the store, with what to do once it is answered. */
    private record Held(SendRequest request, String senderName, Consumer<SendResult> onSent,
                        Consumer<RuntimeException> onError, long heldAtNanos) {
        /** Its weight in memory, roughly in bytes, as the store's queue weighs it. */
        long bytes() {
            return NewMessage.weight(request.content(), senderName);
        }
    }

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
    private final Reads reads;
    private final long maxHoldNanos;
    // All below: only on the session's loop.
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private boolean waitingForRoom;
    private ScheduledFuture<?> holdTimer;
    private StreamSubscription personal;
    private final Map<Long, StreamSubscription> joined = new HashMap<>();
    private final Set<Long> joining = new HashSet<>();
    private final Set<Long> typedIn = new HashSet<>();
    private boolean closed;

    /** A connection whose transport cannot pause reading ({@link Reads#NONE}). */
    public ChatConnection(ChatService chat, DeliveryHub hub, Session session, Executor blocking) {
        this(chat, hub, session, blocking, Reads.NONE);
    }

    public ChatConnection(ChatService chat, DeliveryHub hub, Session session, Executor blocking, Reads reads) {
        this(chat, hub, session, blocking, reads, MAX_HOLD);
    }

    /** @param maxHold how long a send is held at most ({@link #MAX_HOLD} but in tests) */
    ChatConnection(ChatService chat, DeliveryHub hub, Session session, Executor blocking, Reads reads, Duration maxHold) {
        this.chat = chat;
        this.hub = hub;
        this.session = session;
        this.blocking = blocking;
        this.reads = reads;
        this.maxHoldNanos = maxHold.toNanos();
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

    /**
     * Sends a message ({@link ChatService#sendAsync}): {@code onSent} runs on the loop once it is
     * committed, {@code onError} with any failure. When the store has no room the send is held
     * (see the class comment) and answered later; a send arriving while others are held waits
     * behind them, so a connection's messages are stored in the order it sent them.
     *
     * @throws ChatException at once for a bad request when nothing is held
     */
    public void send(SendRequest request, String senderName, Consumer<SendResult> onSent,
                     Consumer<RuntimeException> onError) {
        Held send = new Held(request, senderName, onSent, onError, System.nanoTime());
        if (!held.isEmpty() || !submit(send)) {
            hold(send);
        }
    }

    /** Queues the send with the store; false when the store has no room. */
    private boolean submit(Held send) {
        CompletableFuture<SendResult> sent;
        try {
            sent = chat.sendAsync(session.userId(), send.senderName(), send.request(), session.eventLoop(), blocking);
        } catch (ChatStoreBusyException e) {
            return false;
        }
        onLoop(sent, send.onSent(), send.onError());
        return true;
    }

    private void hold(Held send) {
        long bytes = send.bytes();
        if (heldBytes + bytes > MAX_HELD_BYTES || !chat.reserveHeld(bytes)) {
            send.onError().accept(new ChatStoreBusyException("the server is storing messages as fast as it can and "
                    + held.size() + " of this connection's messages are waiting; nothing was stored, retry later"
                    + " (with the same client_id)"));
            return;
        }
        heldBytes += bytes;
        held.add(send);
        if (held.size() == 1) {
            reads.pause();
            armHoldTimer();
        }
        if (!waitingForRoom) {
            waitingForRoom = true;
            chat.whenStoreHasRoom(() -> session.eventLoop().execute(this::retryHeld));
        }
    }

    /** The store has room: queue the held sends in order, as far as they fit; then read again. */
    private void retryHeld() {
        waitingForRoom = false;
        if (closed) {
            return;
        }
        while (!held.isEmpty()) {
            Held send = held.peek();
            try {
                if (!submit(send)) {
                    waitingForRoom = true;
                    chat.whenStoreHasRoom(() -> session.eventLoop().execute(this::retryHeld));
                    return;
                }
            } catch (RuntimeException e) {
                send.onError().accept(e);
            }
            release(held.poll());
        }
        released();
    }

    /** Refuses the sends held longer than {@link #MAX_HOLD}, oldest first. */
    private void expireHeld() {
        holdTimer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        while (!held.isEmpty() && now - held.peek().heldAtNanos() >= maxHoldNanos) {
            Held expired = held.poll();
            release(expired);
            expired.onError().accept(new ChatStoreBusyException("the server is storing messages as fast as it"
                    + " can; this message waited " + TimeUnit.NANOSECONDS.toMillis(maxHoldNanos) + " ms for room and"
                    + " was not stored, retry later (with the same client_id)"));
        }
        if (held.isEmpty()) {
            released();
        } else {
            armHoldTimer();
        }
    }

    private void armHoldTimer() {
        if (holdTimer == null) {
            long due = held.peek().heldAtNanos() + maxHoldNanos - System.nanoTime();
            holdTimer = session.eventLoop().schedule(this::expireHeld, Math.max(0, due), TimeUnit.NANOSECONDS);
        }
    }

    /** Nothing is held any more: stop the timer and read again. */
    private void released() {
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        reads.resume();
    }

    private void release(Held send) {
        long bytes = send.bytes();
        heldBytes -= bytes;
        chat.releaseHeld(bytes);
    }

    /** Sends held for room in the store (for tests and metrics). */
    public int heldSends() {
        return held.size();
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
        held.forEach(this::release); // their client is gone: nothing to answer
        held.clear();
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        chat.endTyping(session.userId(), Set.copyOf(typedIn));
        typedIn.clear();
    }
}
