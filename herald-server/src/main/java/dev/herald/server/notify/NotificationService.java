package dev.herald.server.notify;

import dev.herald.server.broker.Broker;
import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxChange;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.InboxCounts;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.ScheduledPublish;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.NotificationPage;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.Store;
import dev.herald.server.stream.StreamState;
import dev.herald.server.stream.Streams;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.work.SingleWorker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications as the HTTP API and the sockets use them: publish, inbox, read state.
 *
 * <p>Every change to a user's inbox (seen, read, archived, deleted) is pushed to the user's live
 * connections as an {@code inbox} frame and an {@code unread_count} frame with the new counts,
 * through the broker so it reaches every node. New notifications
 * reach sockets through the store's commit listener ({@link CommitForwarder}), so a publish
 * is delivered only once it is durable.
 *
 * <p>Thread-safe. Methods block on the store: call them from virtual threads; {@link #publishAsync}
 * never blocks.
 */
public final class NotificationService {
    private static final Logger log = LoggerFactory.getLogger(NotificationService.class);

    private final Store store;
    private final Broker broker;
    private static final int RECORD_BATCH = 512;
    /** Most ids one inbox action takes, and the batch of an action by filter. */
    public static final int MAX_IDS = 1000;
    /** Most filters one counts call takes. */
    public static final int MAX_FILTERS = 20;
    /** Most purge batches one {@link #purgeDue} call runs; the rest waits for the next call. */
    static final int MAX_PURGE_BATCHES = 100;

    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final SingleWorker recorder;

    /** @param background runs the recording of newly seen users (may block) */
    public NotificationService(Store store, Broker broker, Executor background) {
        this.store = store;
        this.broker = broker;
        this.recorder = new SingleWorker(background, this::recordUsers, () -> !pending.isEmpty());
    }

    /** Stores the notification; returns after commit. */
    public PublishResult publish(PublishCommand command, String idempotencyKey, String requestHash) {
        return store.publish(request(command, idempotencyKey, requestHash));
    }

    /**
     * {@link #publish} without blocking, for an event loop: queued to the store at once; the
     * future completes after commit, on the store's thread, or fails after the store's bounded
     * wait, timed on {@code loop}.
     *
     * @throws StoreUnavailableException at once when the store's write queue is full or closed
     */
    public CompletableFuture<PublishResult> publishAsync(PublishCommand command, String idempotencyKey,
                                                         String requestHash, ScheduledExecutorService loop) {
        return store.publishAsync(request(command, idempotencyKey, requestHash), loop);
    }

    /**
     * Stores several publishes in one transaction: all or none. {@code keys} and {@code hashes}
     * hold each command's idempotency key and request fingerprint (null entries for none).
     */
    public List<PublishResult> publishAll(List<PublishCommand> commands, List<String> keys, List<String> hashes) {
        List<PublishRequest> requests = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            PublishCommand command = commands.get(i);
            requests.add(request(command, keys.get(i), keys.get(i) == null ? null : hashes.get(i)));
        }
        return store.publishAll(requests);
    }

    private static PublishRequest request(PublishCommand command, String idempotencyKey, String requestHash) {
        return new PublishRequest(command.streams(), command.allUsers(), command.type(), command.json(),
                idempotencyKey, requestHash, command.category(), command.tags(), command.expiresAt(),
                command.group() == null ? null : command.group().key(),
                command.group() == null ? null : command.group().window(), command.push());
    }

    public NotificationPage list(String userStream, NotificationQuery query) {
        return store.list(userStream, query);
    }

    public StreamState state(String stream) {
        return store.streamState(stream);
    }

    /**
     * Records that a user exists, so broadcasts to everyone reach them; returns once it is
     * recorded. New users are recorded by a single background task, all those waiting at the
     * time in one store transaction (at most {@value #RECORD_BATCH}), so a connect storm of new
     * users waits in this queue instead of taking every store connection (which made connects
     * fail with 503 in the benchmark) and costs one commit per batch, not one per user; known
     * users cost a set lookup.
     *
     * @throws StoreUnavailableException when the user could not be recorded within 10 s
     */
    public void knowUser(String userStream) {
        if (known.contains(userStream)) {
            return;
        }
        CompletableFuture<Void> recorded = pending.computeIfAbsent(userStream, k -> new CompletableFuture<>());
        recorder.wake();
        try {
            recorded.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while recording " + userStream, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreUnavailableException("cannot record " + userStream + " now", e);
        }
    }

    /** The recorder's task: batches until none is pending. */
    private void recordUsers() {
        while (!pending.isEmpty()) {
            Map<String, CompletableFuture<Void>> batch = new HashMap<>();
            for (Map.Entry<String, CompletableFuture<Void>> e : pending.entrySet()) {
                batch.put(e.getKey(), e.getValue());
                if (batch.size() == RECORD_BATCH) {
                    break;
                }
            }
            record(batch);
        }
    }

    /** Records a batch in one go; when that fails, one at a time, so one bad stream fails alone. */
    private void record(Map<String, CompletableFuture<Void>> batch) {
        try {
            store.ensureStreams(batch.keySet());
        } catch (RuntimeException failure) {
            if (batch.size() > 1) {
                batch.forEach((stream, recorded) -> record(Map.of(stream, recorded)));
                return;
            }
            batch.forEach((stream, recorded) -> {
                pending.remove(stream, recorded);
                recorded.completeExceptionally(failure);
                log.warn("cannot record user stream={}: {}", stream, failure.toString());
            });
            return;
        }
        batch.forEach((stream, recorded) -> {
            known.add(stream);
            pending.remove(stream, recorded);
            recorded.complete(null);
        });
    }

    /**
     * Keeps a validated publish until {@code deliverAt} (see {@link ScheduledReleases}); false when
     * this request was already scheduled under {@code key}.
     *
     * @throws dev.herald.server.store.IdempotencyConflictException when {@code key} was scheduled
     *                                                               with another request
     */
    public boolean schedule(String key, String requestHash, Instant deliverAt, String body) {
        return store.schedule(new ScheduledPublish(key, requestHash, deliverAt, body));
    }

    /** Cancels a scheduled publish before it is released; false when none is scheduled under {@code key}. */
    public boolean cancelScheduled(String key) {
        return store.cancelScheduled(key);
    }

    /**
     * The idempotency key a scheduled publish is released with: one per schedule key and request,
     * whatever the key's length; a key scheduled again with another body after its release gets
     * another one, so it is not refused as a conflict.
     */
    static String releaseKey(ScheduledPublish due) {
        return "scheduled:" + Idempotency.fingerprint((due.key() + "\n" + due.requestHash()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes what is due, up to {@code limit}, each under its release key (so a second release,
     * by another node or after a crash, replays instead of storing twice), then forgets it. A
     * publish that is no longer valid (its expiry passed while it waited) is dropped with one log
     * line. Returns how many were published.
     */
    public int releaseDue(Duration lease, int limit, Function<ScheduledPublish, PublishCommand> parse) {
        int published = 0;
        for (ScheduledPublish due : store.claimDue(Instant.now(), lease, limit)) {
            PublishCommand command;
            try {
                command = parse.apply(due);
            } catch (ValidationException e) {
                log.warn("scheduled publish key={} dropped at release: {}", due.key(), e.getMessage());
                store.released(due.key());
                continue;
            }
            publish(command, releaseKey(due), due.requestHash());
            store.released(due.key());
            published++;
        }
        return published;
    }

    /** The user's preferences; {@link Preferences#DEFAULT} when never set. */
    public Preferences preferences(String userStream) {
        return store.preferences(userStream);
    }

    /** Replaces the user's preferences; publishes committed from now on honour them. */
    public void setPreferences(String userStream, Preferences preferences) {
        store.setPreferences(userStream, preferences);
    }

    public List<InboxCategory> categories() {
        return store.categories();
    }

    /** {@link Store#category}: one category's settings, kept up to {@link Store#CATEGORY_SETTINGS_DELAY}. */
    public Optional<InboxCategory> category(String name) {
        return store.category(name);
    }

    public void putCategory(InboxCategory category) {
        store.putCategory(category);
    }

    public boolean deleteCategory(String name) {
        return store.deleteCategory(name);
    }

    /** Marks one of the user's notifications read; empty when the user has no such notification. */
    public Optional<StreamState> markRead(String userStream, String id) {
        InboxChange change = apply(userStream, InboxAction.READ, List.of(id));
        return change.matched().isEmpty() ? Optional.empty() : Optional.of(change.state());
    }

    /** Marks every notification of the user read, archived ones too. */
    public StreamState markAllRead(String userStream) {
        return applyToMatching(userStream, InboxAction.READ, InboxFilter.EVERYTHING).state();
    }

    /** Deletes one of the user's notifications; empty when the user has no such notification. */
    public Optional<StreamState> delete(String userStream, String id) {
        InboxChange change = apply(userStream, InboxAction.DELETE, List.of(id));
        return change.matched().isEmpty() ? Optional.empty() : Optional.of(change.state());
    }

    /**
     * An inbox action on the user's notifications with these ids (at most {@value #MAX_IDS}), in
     * one transaction; ids the user does not have are skipped. The change reaches every connection
     * of the user, on every node: an {@code inbox} frame naming what changed (when anything did),
     * then the counts.
     */
    public InboxChange apply(String userStream, InboxAction action, List<String> ids) {
        InboxChange change = store.apply(userStream, action, ids);
        announce(change);
        return change;
    }

    /**
     * An inbox action on every notification of the user that matches the filter and existed when
     * the call started (those published meanwhile are left alone). Runs in batches of
     * {@value #MAX_IDS}, each its own transaction, announced as it commits: a filter that matches
     * 100,000 notifications holds the stream's lock for one batch at a time, never for the whole
     * job. A failure part way leaves the batches before it applied; calling again finishes the job.
     */
    public BulkChange applyToMatching(String userStream, InboxAction action, InboxFilter filter) {
        StreamState start = store.streamState(userStream);
        long after = 0;
        long changed = 0;
        StreamState state = start;
        // Each batch moves `after` up by at least one seq; the bound is a backstop.
        for (long batches = start.lastSeq() / MAX_IDS + 2; batches > 0; batches--) {
            InboxChange change = store.applyToMatching(userStream, action, filter, after, start.lastSeq(), MAX_IDS);
            announce(change);
            changed += change.changed().size();
            state = change.state();
            if (!change.more()) {
                break;
            }
            after = change.lastSeq();
        }
        return new BulkChange(action, changed, state);
    }

    /** What an action by filter changed in all: how many notifications, and the counts after. */
    public record BulkChange(InboxAction action, long changed, StreamState state) {
    }

    /** Counts of several filters of the user's inbox, in order (at most {@value #MAX_FILTERS}). */
    public List<InboxCounts> counts(String userStream, List<InboxFilter> filters) {
        if (filters.isEmpty() || filters.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("filters: 1.." + MAX_FILTERS + ", was " + filters.size());
        }
        return store.counts(userStream, filters);
    }

    /**
     * Deletes the notifications that expired and those older than {@code retention}, in batches
     * of {@value #MAX_IDS} (at most {@value #MAX_PURGE_BATCHES} a call), and tells each user's
     * connections what left their inbox (an {@code inbox} frame with action {@code delete}, and the
     * counts). Returns how many were deleted.
     */
    public long purgeDue(Duration retention) {
        long purged = 0;
        for (int batch = 0; batch < MAX_PURGE_BATCHES; batch++) {
            Instant now = Instant.now();
            List<InboxChange> changes = store.purgeDue(now, now.minus(retention), MAX_IDS);
            long deleted = 0;
            for (InboxChange change : changes) {
                deleted += change.changed().size();
                if (Streams.isUser(change.stream())) {
                    announce(change); // a topic has no inbox: nobody to tell
                }
            }
            purged += deleted;
            if (deleted == 0) {
                break;
            }
        }
        return purged;
    }

    private void announce(InboxChange change) {
        if (!change.changed().isEmpty()) {
            broker.publish(NotificationFrames.inboxChanged(change));
        }
        StreamState s = change.state();
        broker.publish(NotificationFrames.unreadCount(change.stream(), s.unread(), s.unseen()));
    }
}
