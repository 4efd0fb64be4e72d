package dev.herald.server.store;

import dev.herald.server.stream.StreamState;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of notification streams.
 *
 * <p>A <em>stream</em> is an ordered log named by a key such as {@code user:42} or
 * {@code branch:7}. Every stored notification belongs to exactly one stream and carries that
 * stream's sequence number.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #publish} returns only after the notifications are committed.</li>
 *   <li>Sequence numbers are per stream, start at 1 and are gap-free: they are allocated in
 *       the same transaction that stores the notification, so commit order equals seq order
 *       within a stream, also with several nodes writing to one database.</li>
 *   <li>A publish with an idempotency key that was already used returns the first result and
 *       stores nothing new ({@link PublishResult#replayed()} is true).</li>
 *   <li>Each committed batch is reported to the {@link CommitListener} once, on one thread,
 *       in commit order, so within one node listeners see every stream in seq order.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * All methods block on I/O: call them from a virtual thread or the store executor, never
 * from a Netty event loop. Implementations are thread-safe.
 *
 * <h2>Failures</h2>
 * When the database is unreachable, methods throw {@link StoreUnavailableException}; nothing
 * is reported as committed that was not.
 */
public interface Store extends AutoCloseable {

    /** Stores one notification per target stream in one transaction. */
    PublishResult publish(PublishRequest request);

    /**
     * {@link #publish} for a caller that must not block (an event loop): queues the request and
     * returns at once; the future completes after the commit (on the store's own thread), or fails
     * as {@link #publish} throws, within the same bounded wait, timed on {@code timer} (the
     * caller's loop). The default runs {@link #publish} on the calling thread, which suits only
     * stores that never block (in-memory ones); a store on a database overrides it.
     *
     * @throws StoreUnavailableException at once when the store takes no more writes now (its
     *                                   queue is full, or it is closed)
     */
    default java.util.concurrent.CompletableFuture<PublishResult> publishAsync(
            PublishRequest request, java.util.concurrent.ScheduledExecutorService timer) {
        return java.util.concurrent.CompletableFuture.completedFuture(publish(request));
    }

    /**
     * Stores several publishes atomically: all are committed, or none is (one refused request,
     * e.g. an idempotency key reused with another body, refuses the whole list with its
     * exception). Returns one result per request, in order, after the commit. Each request's
     * idempotency key replays on its own, as with {@link #publish}.
     */
    List<PublishResult> publishAll(List<PublishRequest> requests);

    /** Notifications of a stream with {@code seq > afterSeq}, ascending, at most {@code limit}. */
    List<StoredNotification> readSince(String stream, long afterSeq, int limit);

    /** A page of a stream's notifications, newest first. */
    NotificationPage list(String stream, NotificationQuery query);

    /** The stream's last seq and unread count; zeros for a stream that never had a notification. */
    StreamState streamState(String stream);

    /**
     * Records that a stream exists, so that a broadcast to all users reaches it.
     * Cheap when it already exists.
     */
    default void ensureStream(String stream) {
        ensureStreams(java.util.List.of(stream));
    }

    /**
     * Records that each of the streams exists, all in one write where the store can: a connect
     * storm of new users costs one commit per batch, not one per user. Cheap for known streams.
     *
     * @throws IllegalArgumentException naming a stream key the store cannot hold
     */
    void ensureStreams(Collection<String> streams);

    /**
     * Applies an inbox action to the stream's notifications with these ids, in one transaction:
     * all of them change, or none. Ids the stream does not have are skipped (they are not in
     * {@link InboxChange#matched()}). On a stream that does not exist, nothing matches.
     *
     * @throws IllegalArgumentException for more than 1000 ids
     */
    InboxChange apply(String stream, InboxAction action, Collection<String> ids);

    /**
     * Applies an inbox action to one batch of the notifications matching the filter: at most
     * {@code limit} (1..1000) of those with {@code afterSeq < seq <= upToSeq} that the action
     * changes, lowest seq first, in one transaction. A caller covers everything by calling again
     * from {@link InboxChange#lastSeq()} while {@link InboxChange#more()}; fixing {@code upToSeq}
     * at the start leaves notifications published meanwhile alone.
     */
    InboxChange applyToMatching(String stream, InboxAction action, InboxFilter filter, long afterSeq, long upToSeq,
                                int limit);

    /**
     * Deletes, in one transaction, up to {@code limit} notifications whose expiry passed at
     * {@code now} and up to {@code limit} created before {@code retentionCutoff}, keeping the
     * counters exact. Returns one {@link InboxAction#DELETE} change per stream that lost
     * notifications. Safe to run on several nodes at once.
     */
    List<InboxChange> purgeDue(java.time.Instant now, java.time.Instant retentionCutoff, int limit);

    /** The counts of each filter, in order. */
    List<InboxCounts> counts(String stream, List<InboxFilter> filters);

    /** The user's preferences as last set, or {@link Preferences#DEFAULT} when never set. */
    Preferences preferences(String userStream);

    /**
     * Replaces the user's preferences. Publishes committed after this returns honour them, on
     * every node.
     */
    void setPreferences(String userStream, Preferences preferences);

    /** Every category an app backend configured, by name, read now. */
    List<InboxCategory> categories();

    /**
     * One category's settings as publishes see them: up to {@link #CATEGORY_SETTINGS_DELAY} old
     * when changed on another node, current when changed through this one. For reads made per
     * notification (each push job's); empty when the app configured no such category.
     */
    default Optional<InboxCategory> category(String name) {
        for (InboxCategory category : categories()) {
            if (category.name().equals(name)) {
                return Optional.of(category);
            }
        }
        return Optional.empty();
    }

    /**
     * Creates or replaces a category's settings. Publishes honour them within
     * {@link #CATEGORY_SETTINGS_DELAY} on other nodes, at once on this one.
     */
    void putCategory(InboxCategory category);

    /** Removes a category's settings (its notifications stay); false when it had none. */
    boolean deleteCategory(String name);

    /** How long a change of category settings may take to reach the publishes of other nodes. */
    java.time.Duration CATEGORY_SETTINGS_DELAY = java.time.Duration.ofSeconds(5);

    /**
     * Keeps a publish until it is due. Returns false (storing nothing) when the same request was
     * already scheduled under its key.
     *
     * @throws IdempotencyConflictException when the key was scheduled with another request
     */
    boolean schedule(ScheduledPublish publish);

    /** Cancels a scheduled publish that is not yet released; false when there is none by that key. */
    boolean cancelScheduled(String key);

    /**
     * Up to {@code limit} due publishes, taken for {@code lease}: no other caller gets them until
     * the lease ends. Release each by publishing it, then {@link #released}.
     */
    List<ScheduledPublish> claimDue(java.time.Instant now, java.time.Duration lease, int limit);

    /** A claimed publish was published: forget it. */
    void released(String key);

    /** True when the database answers a trivial query within a short timeout. */
    boolean isReachable();

    /** Receives committed notifications; see the class comment for ordering. */
    interface CommitListener {
        /** Called after commit with the notifications of one batch, in commit order. Must not block. */
        void committed(List<StoredNotification> notifications);
    }

    @Override
    void close();
}
