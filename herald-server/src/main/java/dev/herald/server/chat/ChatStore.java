package dev.herald.server.chat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Durable storage of conversations, members, messages, read markers and reactions.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #append} returns only after the message is committed. Seqs are per
 *       conversation, start at 1 and are gap-free: allocated in the same transaction as the
 *       insert, under the conversation row's lock, so commit order equals seq order. Sends
 *       waiting together may share one transaction (group commit); each is still stored or
 *       refused on its own.</li>
 *   <li>An append with a (conversation, sender, client id) that was already stored returns the
 *       stored message with {@link SendResult#replayed()} true and stores nothing.</li>
 *   <li>Operations on behalf of a user check membership in the same transaction; a missing
 *       conversation and a non-member get the same empty answer.</li>
 *   <li>At most one {@link ConversationKind#DIRECT} conversation exists per pair of users.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Blocking: call from virtual threads, never from an event loop. Thread-safe. An unreachable
 * database throws {@link dev.herald.server.store.StoreUnavailableException}.
 */
public interface ChatStore {

    /** What {@link #create} did: a new conversation, or the existing direct one of the pair. */
    record Created(Conversation conversation, boolean created) {
    }

    /**
     * Creates a conversation with its members (ids valid and distinct; a direct one has exactly
     * two). For a direct pair that already has a conversation, returns that one.
     */
    Created create(ConversationKind kind, String title, String createdBy, List<String> members);

    /** The conversation with its members, when {@code userId} is one of them. */
    Optional<Conversation> conversationFor(long conversationId, String userId);

    Optional<Membership> membership(long conversationId, String userId);

    /**
     * Appends a message if the sender is a member; moves the sender's read marker to it. Empty
     * when the sender is not a member (or the conversation does not exist).
     *
     * @param committed called with the message once it is committed, before this method returns,
     *                  and only when it was newly stored (not for a replay). On one node, the
     *                  calls for one conversation come in seq order, one at a time, on a store
     *                  thread: it must not block (publishing to the broker is fine).
     * @throws ChatStoreBusyException at once, when too many sends already wait for the database
     */
    Optional<SendResult> append(NewMessage message, Consumer<ChatMessage> committed);

    /**
     * {@link #append(NewMessage, Consumer)} without waiting, for callers that must not block (an
     * event loop). The future completes after the commit and the {@code committed} call, on the
     * store's thread: continue elsewhere ({@code thenApplyAsync(..., executor)}). A send not
     * committed within the store's wait fails it with {@link dev.herald.server.store.StoreUnavailableException}
     * (a retry with its client id replays it if it did commit).
     *
     * @param timer where the wait is timed: the caller's event loop (one entry in its timer queue,
     *              no thread woken), or null for the JDK's shared delay scheduler (two hand-offs
     *              to its thread per send)
     * @throws ChatStoreBusyException at once, when too many sends already wait for the database
     */
    CompletableFuture<Optional<SendResult>> appendAsync(NewMessage message, Consumer<ChatMessage> committed,
                                                        ScheduledExecutorService timer);

    /**
     * Runs {@code wake} once, when a caller refused with {@link ChatStoreBusyException} may try
     * again: after a later commit leaves room in the write queue, or at once when there is room
     * now. It runs on the store's writer thread (or the caller's), so it must only hand work
     * elsewhere (e.g. to an event loop). Each waiting caller registers once at a time: the
     * waiters are as many as the callers holding a refused send.
     */
    void whenRoom(Runnable wake);

    /** {@link #append(NewMessage, Consumer)} with nobody to tell. */
    default Optional<SendResult> append(NewMessage message) {
        return append(message, m -> { });
    }

    /** Messages with {@code seq < beforeSeq}, at most {@code limit}, ascending by seq. */
    List<ChatMessage> history(long conversationId, long beforeSeq, int limit);

    /** Messages with {@code seq > afterSeq}, at most {@code limit}, ascending by seq. */
    List<ChatMessage> readSince(long conversationId, long afterSeq, int limit);

    /** The conversation's last seq; 0 when it has no message or does not exist. */
    long lastSeq(long conversationId);

    /** Moves the user's read marker to {@code max(marker, min(seq, lastSeq))}; empty for a non-member. */
    Optional<ReadResult> markRead(long conversationId, String userId, long seq);

    /** The user's conversations, newest activity first. */
    List<ConversationSummary> conversationsOf(String userId, int limit);

    /** Adds or removes a reaction; empty when the conversation has no such message. */
    Optional<Reaction> react(long conversationId, String userId, MessageRef message, String emoji, boolean add);

    /** Reactions on the given messages: message id to emoji to user ids. */
    Map<Long, Map<String, List<String>>> reactions(List<Long> messageIds);

    /**
     * For each of {@code userIds}, the users who share at least one conversation with them, at
     * most {@code limitEach} (the first by user id); a user without partners has no entry. One
     * query for all of them: users who go offline together are looked up together.
     */
    Map<String, Set<String>> partnersOf(Collection<String> userIds, int limitEach);
}
