package dev.herald.server.store;

import dev.herald.server.stream.StreamState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@link Store} contract, run against every implementation (subclasses open the store).
 * Stream keys carry a per-test prefix so tests sharing one database do not see each other.
 */
@Timeout(120)
public abstract class StoreContractTest {

    /** Records every batch the store reports, in order. */
    public static final class RecordingListener implements Store.CommitListener {
        public final ConcurrentLinkedQueue<List<StoredNotification>> batches = new ConcurrentLinkedQueue<>();

        @Override
        public void committed(List<StoredNotification> notifications) {
            batches.add(List.copyOf(notifications));
        }

        public List<StoredNotification> all() {
            List<StoredNotification> out = new ArrayList<>();
            batches.forEach(out::addAll);
            return out;
        }
    }

    protected final List<Store> opened = new ArrayList<>();
    protected final RecordingListener listener = new RecordingListener();
    protected final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    protected String p;
    protected Store store;

    /** Opens a store on this test's database; several calls share one database. */
    protected abstract Store openStore(Store.CommitListener listener);

    /** Runs the implementation's idempotency key purge as if the retention ended at {@code cutoff}. */
    protected abstract void purgeKeysCreatedBefore(Store store, java.time.Instant cutoff);

    @BeforeEach
    void openFirstStore() {
        p = "t" + Long.toHexString(new Random(System.nanoTime()).nextInt() & 0xffffff) + "-";
        store = open(listener);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    protected Store open(Store.CommitListener l) {
        Store s = openStore(l);
        opened.add(s);
        return s;
    }

    protected String user(String id) {
        return "user:" + p + id;
    }

    protected static PublishRequest to(String stream, String type) {
        return new PublishRequest(List.of(stream), false, type, "{\"type\":\"" + type + "\"}", null, null);
    }

    protected static PublishRequest keyed(String stream, String key, String hash) {
        return new PublishRequest(List.of(stream), false, "t", "{\"type\":\"t\",\"h\":\"" + hash + "\"}", key, hash);
    }

    @Test
    void publishAssignsSeqFromOneAndReportsTheUnreadCountAfterEachInsert() {
        String s = user("a");
        StoredNotification first = store.publish(to(s, "order_created")).notifications().getFirst();
        StoredNotification second = store.publish(to(s, "order_paid")).notifications().getFirst();

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.unreadAfter()).isEqualTo(1);
        assertThat(first.json()).isEqualTo("{\"type\":\"order_created\"}");
        assertThat(first.readAt()).isNull();
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.unreadAfter()).isEqualTo(2);
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(store.streamState(s)).isEqualTo(new StreamState(2, 2, 2));
        assertThat(store.readSince(s, 0, 10)).extracting(StoredNotification::id).containsExactly(first.id(), second.id());
    }

    @Test
    void aStreamThatNeverHadANotificationHasZeroState() {
        assertThat(store.streamState(user("nobody"))).isEqualTo(StreamState.EMPTY);
        store.ensureStream(user("nobody"));
        store.ensureStream(user("nobody"));
        assertThat(store.streamState(user("nobody"))).isEqualTo(StreamState.EMPTY);
    }

    @Test
    void publishToSeveralStreamsStoresOneNotificationPerDistinctStream() {
        String a = user("a");
        String b = "branch:" + p + "7";
        store.publish(to(a, "x"));
        PublishResult r = store.publish(new PublishRequest(List.of(a, b, a), false, "y", "{}", null, null));

        assertThat(r.replayed()).isFalse();
        assertThat(r.notifications()).extracting(StoredNotification::stream, StoredNotification::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a, 2L), org.assertj.core.groups.Tuple.tuple(b, 1L));
        assertThat(store.streamState(b)).isEqualTo(new StreamState(1, 1, 1));
    }

    @Test
    void concurrentPublishersToOneStreamGetEverySeqOnceWithoutGap() throws Exception {
        String s = user("hot");
        int threads = 100;
        int each = 10;
        List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        seqs.add(store.publish(to(s, "x")).notifications().getFirst().seq());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        int n = threads * each;
        assertThat(seqs).hasSize(n).doesNotHaveDuplicates();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList());
        assertThat(store.streamState(s)).isEqualTo(new StreamState(n, n, n));
        assertThat(store.readSince(s, 0, n + 1)).extracting(StoredNotification::seq)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList());
    }

    @Test
    void commitListenerSeesEveryPublishedNotificationOnceAndEachStreamInSeqOrder() throws Exception {
        List<String> streams = List.of(user("1"), user("2"), user("3"));
        List<StoredNotification> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 30; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20; i++) {
                        String s = streams.get(random.nextInt(streams.size()));
                        acknowledged.addAll(store.publish(to(s, "x")).notifications());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        // The writer reports a batch right after completing its callers: wait for the last one.
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.all().size() >= acknowledged.size());
        List<StoredNotification> seen = listener.all();
        assertThat(seen).containsExactlyInAnyOrderElementsOf(acknowledged);
        Map<String, Long> last = new HashMap<>();
        for (StoredNotification sn : seen) {
            long previous = last.getOrDefault(sn.stream(), 0L);
            assertThat(sn.seq()).as("seq of %s after %d", sn.stream(), previous).isEqualTo(previous + 1);
            last.put(sn.stream(), sn.seq());
        }
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheOriginalNotificationsAndStoresNothing() {
        String s = user("a");
        PublishResult first = store.publish(keyed(s, p + "k1", "h1"));
        PublishResult again = store.publish(keyed(s, p + "k1", "h1"));

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.notifications()).extracting(StoredNotification::id, StoredNotification::seq)
                .containsExactlyElementsOf(first.notifications().stream()
                        .map(n -> org.assertj.core.groups.Tuple.tuple(n.id(), n.seq())).toList());
        assertThat(store.streamState(s)).isEqualTo(new StreamState(1, 1, 1));
        assertThat(listener.all()).hasSize(1);
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyIsAConflictAndStoresNothing() {
        String s = user("a");
        store.publish(keyed(s, p + "k2", "h1"));

        assertThatThrownBy(() -> store.publish(keyed(s, p + "k2", "other")))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining(p + "k2");
        assertThat(store.streamState(s)).isEqualTo(new StreamState(1, 1, 1));
    }

    @Test
    void concurrentRepeatsOfOneKeyStoreOnceAndAConflictingBodyFailsOnlyItself() throws Exception {
        String s = user("a");
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 50; t++) {
                int i = t;
                futures.add(pool.submit(() -> {
                    try {
                        PublishRequest r = i == 25 ? keyed(s, p + "k3", "different")
                                : i % 2 == 0 ? keyed(s, p + "k3", "same") : to(s, "plain");
                        outcomes.add(store.publish(r));
                    } catch (IdempotencyConflictException e) {
                        outcomes.add(e);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long keyedStored = outcomes.stream().filter(o -> o instanceof PublishResult r && !r.replayed()
                && r.notifications().getFirst().type().equals("t")).count();
        long conflicts = outcomes.stream().filter(o -> o instanceof IdempotencyConflictException).count();
        long differentStored = store.readSince(s, 0, 1000).stream().filter(n -> n.json().contains("different")).count();
        // Either the "same" body won the key (and "different" conflicts) or the reverse.
        assertThat(keyedStored).isEqualTo(1);
        assertThat(conflicts).isEqualTo(differentStored == 1 ? 25 : 1);
        assertThat(store.streamState(s).lastSeq()).isEqualTo(24 + 1);
    }

    @Test
    void broadcastReachesEveryUserStreamIncludingEnsuredOnesAndNoTopicStream() {
        String a = user("a");
        String b = user("b");
        String topic = "branch:" + p;
        store.publish(to(a, "x"));
        store.ensureStream(b);
        store.publish(to(topic, "x"));

        PublishResult r = store.publish(new PublishRequest(List.of(topic), true, "all", "{}", null, null));

        assertThat(r.notifications()).extracting(StoredNotification::stream).contains(a, b, topic).doesNotHaveDuplicates()
                .allMatch(s -> s.startsWith("user:") || s.equals(topic));
        assertThat(store.streamState(a)).isEqualTo(new StreamState(2, 2, 2));
        assertThat(store.streamState(b)).isEqualTo(new StreamState(1, 1, 1));
        assertThat(store.streamState(topic)).isEqualTo(new StreamState(2, 2, 2));
    }

    @Test
    void publishAllCommitsTogetherInOrderAndReplaysPerKey() {
        String a = user("all-a");
        String b = user("all-b");
        List<PublishRequest> group = List.of(to(a, "x"), new PublishRequest(List.of(b), false, "y", "{}", p + "all-k", "h"),
                to(a, "z"));

        List<PublishResult> results = store.publishAll(group);

        assertThat(results).hasSize(3);
        assertThat(results.get(0).notifications().get(0).seq()).isEqualTo(1);
        assertThat(results.get(2).notifications().get(0).seq()).isEqualTo(2);
        assertThat(store.streamState(a)).isEqualTo(new StreamState(2, 2, 2));
        PublishResult replay = store.publishAll(List.of(new PublishRequest(List.of(b), false, "y", "{}", p + "all-k", "h"))).get(0);
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.notifications()).extracting(StoredNotification::id)
                .isEqualTo(results.get(1).notifications().stream().map(StoredNotification::id).toList());
    }

    @Test
    @Timeout(60)
    void aRefusedGroupStoresNothingWhileConcurrentPublishesStillCommit() throws Exception {
        String key = p + "grp-key";
        store.publish(new PublishRequest(List.of(user("grp-owner")), false, "t", "{}", key, "first-hash"));
        List<Future<PublishResult>> singles = new ArrayList<>();
        Future<List<PublishResult>> refused;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 60; i++) {
                String s = user("grp-single" + (i % 4));
                singles.add(pool.submit(() -> store.publish(to(s, "x"))));
            }
            refused = pool.submit(() -> store.publishAll(List.of(to(user("grp-a"), "x"),
                    new PublishRequest(List.of(user("grp-b")), false, "t", "{}", key, "other-hash"),
                    to(user("grp-c"), "x"))));
            for (int i = 0; i < 60; i++) {
                String s = user("grp-single" + (i % 4));
                singles.add(pool.submit(() -> store.publish(to(s, "x"))));
            }
        }
        assertThatThrownBy(refused::get).hasCauseInstanceOf(IdempotencyConflictException.class);
        for (Future<PublishResult> f : singles) {
            assertThat(f.get().notifications()).hasSize(1);
        }
        assertThat(store.streamState(user("grp-a"))).isEqualTo(StreamState.EMPTY);
        assertThat(store.streamState(user("grp-c"))).isEqualTo(StreamState.EMPTY);
        for (int i = 0; i < 4; i++) {
            assertThat(store.streamState(user("grp-single" + i)).lastSeq()).isEqualTo(30);
        }
    }

    @Test
    void ensuringStreamsWhilePublishesCreateThemLosesNothing() throws Exception {
        var threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                int r = round;
                List<String> keys = IntStream.range(0, 8).mapToObj(i -> user("race" + r + "-" + i)).toList();
                Future<?> ensure = threads.submit(() -> store.ensureStreams(keys));
                Future<?> publish = threads.submit(() -> keys.forEach(k -> store.publish(to(k, "x"))));
                ensure.get(30, java.util.concurrent.TimeUnit.SECONDS);
                publish.get(30, java.util.concurrent.TimeUnit.SECONDS);
                for (String k : keys) {
                    assertThat(store.streamState(k)).as(k).isEqualTo(new StreamState(1, 1, 1));
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void ensureStreamsRecordsManyAtOnceAlongsideKnownOnesAndBroadcastsReachThemAll() {
        String known = user("known");
        store.publish(to(known, "x"));
        List<String> fresh = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            fresh.add(user("fresh" + i));
        }
        List<String> all = new java.util.ArrayList<>(fresh);
        all.add(known);
        all.add(fresh.get(0)); // a repeat is harmless

        store.ensureStreams(all);
        store.ensureStreams(all); // and so is the whole batch again

        PublishResult r = store.publish(new PublishRequest(List.of(), true, "all", "{}", null, null));
        assertThat(r.notifications()).extracting(StoredNotification::stream).containsAll(fresh).contains(known)
                .doesNotHaveDuplicates();
        assertThat(store.streamState(fresh.get(299))).isEqualTo(new StreamState(1, 1, 1));
        assertThat(store.streamState(known)).isEqualTo(new StreamState(2, 2, 2));
    }

    @Test
    void ensureStreamsRefusesAnInvalidStreamKeyAndRecordsNothing() {
        String good = user("good-before-bad");
        assertThatThrownBy(() -> store.ensureStreams(List.of(good, "")))
                .isInstanceOf(IllegalArgumentException.class);
        PublishResult r = store.publish(new PublishRequest(List.of(), true, "all", "{}", null, null));
        assertThat(r.notifications()).extracting(StoredNotification::stream).doesNotContain(good);
    }

    @Test
    void readSinceReturnsNotificationsAfterTheSeqAscendingUpToTheLimit() {
        String s = user("a");
        for (int i = 0; i < 10; i++) {
            store.publish(to(s, "x"));
        }
        assertThat(store.readSince(s, 3, 4)).extracting(StoredNotification::seq).containsExactly(4L, 5L, 6L, 7L);
        assertThat(store.readSince(s, 10, 5)).isEmpty();
        assertThat(store.readSince(user("none"), 0, 5)).isEmpty();
        assertThat(store.readSince(s, 0, 1).getFirst().unreadAfter()).isEqualTo(-1);
        assertThatThrownBy(() -> store.readSince(s, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listPagesNewestFirstWithACursorUntilTheLastPage() {
        String s = user("a");
        for (int i = 0; i < 5; i++) {
            store.publish(to(s, "x"));
        }
        NotificationPage first = store.list(s, new NotificationQuery(Long.MAX_VALUE, 2, false, null));
        NotificationPage second = store.list(s, new NotificationQuery(first.nextBeforeSeq(), 2, false, null));
        NotificationPage third = store.list(s, new NotificationQuery(second.nextBeforeSeq(), 2, false, null));

        assertThat(first.notifications()).extracting(StoredNotification::seq).containsExactly(5L, 4L);
        assertThat(first.nextBeforeSeq()).isEqualTo(4);
        assertThat(second.notifications()).extracting(StoredNotification::seq).containsExactly(3L, 2L);
        assertThat(third.notifications()).extracting(StoredNotification::seq).containsExactly(1L);
        assertThat(third.nextBeforeSeq()).isNull();
        assertThat(store.list(s, new NotificationQuery(Long.MAX_VALUE, 5, false, null)).nextBeforeSeq()).isNull();
    }

    @Test
    void listFiltersUnreadExactTypeAndTypePrefixWithLikeWildcardsTakenLiterally() {
        String s = user("a");
        String created = store.publish(to(s, "order_created")).notifications().getFirst().id();
        store.publish(to(s, "orderXcreated"));
        store.publish(to(s, "order%paid"));
        store.publish(to(s, "chat"));
        markRead(s, created);

        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "order_*")))
                .containsExactly("order_created");
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, true, "order_*"))).isEmpty();
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "order*")))
                .containsExactly("order%paid", "orderXcreated", "order_created");
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "order%*"))).containsExactly("order%paid");
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "chat"))).containsExactly("chat");
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "cha"))).isEmpty();
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, true, null)))
                .containsExactly("chat", "order%paid", "orderXcreated");
        assertThat(types(s, new NotificationQuery(Long.MAX_VALUE, 10, false, "*"))).hasSize(4);
    }

    private List<String> types(String s, NotificationQuery q) {
        return store.list(s, q).notifications().stream().map(StoredNotification::type).toList();
    }

    @Test
    void markReadCountsDownOnceAndIsEmptyForAnotherStreamsIdOrAnUnknownId() {
        String a = user("a");
        String b = user("b");
        String id = store.publish(to(a, "x")).notifications().getFirst().id();
        store.publish(to(a, "x"));
        store.publish(to(b, "x"));

        assertThat(markRead(b, id)).isEmpty();
        assertThat(markRead(a, "no-such-id")).isEmpty();
        assertThat(markRead(user("never"), id)).isEmpty();
        assertThat(markRead(a, id)).contains(new StreamState(2, 1, 1));
        assertThat(markRead(a, id)).contains(new StreamState(2, 1, 1));
        assertThat(store.readSince(a, 0, 1).getFirst().readAt()).isNotNull();
        assertThat(store.streamState(b)).isEqualTo(new StreamState(1, 1, 1));
    }

    @Test
    void markAllReadZeroesTheUnreadCountAndNewPublishesCountAgain() {
        String s = user("a");
        store.publish(to(s, "x"));
        store.publish(to(s, "x"));

        assertThat(markAllRead(s)).isEqualTo(new StreamState(2, 0, 0));
        assertThat(store.list(s, new NotificationQuery(Long.MAX_VALUE, 10, true, null)).notifications()).isEmpty();
        assertThat(store.publish(to(s, "x")).notifications().getFirst().unreadAfter()).isEqualTo(1);
        assertThat(markAllRead(user("never"))).isEqualTo(StreamState.EMPTY);
    }

    @Test
    void deleteRemovesTheNotificationAndCountsDownOnlyWhenItWasUnread() {
        String s = user("a");
        String read = store.publish(to(s, "x")).notifications().getFirst().id();
        String unread = store.publish(to(s, "x")).notifications().getFirst().id();
        markRead(s, read);

        assertThat(delete(user("b"), unread)).isEmpty();
        assertThat(delete(s, read)).contains(new StreamState(2, 1, 1));
        assertThat(delete(s, unread)).contains(new StreamState(2, 0, 0));
        assertThat(delete(s, unread)).isEmpty();
        assertThat(store.readSince(s, 0, 10)).isEmpty();
        assertThat(store.publish(to(s, "x")).notifications().getFirst().seq()).isEqualTo(3);
    }

    @Test
    void theUnreadCountStaysExactUnderConcurrentPublishesMarkReadsMarkAllReadsAndDeletes() throws Exception {
        String s = user("busy");
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 40; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 25; i++) {
                        int action = random.nextInt(14);
                        if (action < 6 || ids.isEmpty()) {
                            ids.add(store.publish(to(s, "x")).notifications().getFirst().id());
                        } else if (action < 8) {
                            markRead(s, ids.get(random.nextInt(ids.size())));
                        } else if (action < 9) {
                            delete(s, ids.get(random.nextInt(ids.size())));
                        } else if (action < 10) {
                            markAllRead(s);
                        } else {
                            InboxAction inbox = List.of(InboxAction.SEEN, InboxAction.UNREAD, InboxAction.ARCHIVE,
                                    InboxAction.UNARCHIVE).get(action - 10);
                            store.apply(s, inbox, List.of(ids.get(random.nextInt(ids.size())),
                                    ids.get(random.nextInt(ids.size()))));
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        List<StoredNotification> left = store.readSince(s, 0, 1000);
        long unread = left.stream().filter(n -> n.archivedAt() == null && n.readAt() == null).count();
        long unseen = left.stream().filter(n -> n.archivedAt() == null && n.seenAt() == null).count();
        assertThat(store.streamState(s)).isEqualTo(new StreamState(ids.size(), unread, unseen));
        assertThat(store.counts(s, List.of(InboxFilter.ACTIVE)).getFirst()).isEqualTo(new InboxCounts(
                left.stream().filter(n -> n.archivedAt() == null).count(), unread, unseen));
    }

    // The inbox: seen, archive, filters, counts, actions by ids and by filter.

    protected Optional<StreamState> markRead(String stream, String id) {
        InboxChange change = store.apply(stream, InboxAction.READ, List.of(id));
        return change.matched().isEmpty() ? Optional.empty() : Optional.of(change.state());
    }

    protected StreamState markAllRead(String stream) {
        return store.applyToMatching(stream, InboxAction.READ, InboxFilter.EVERYTHING, 0, Long.MAX_VALUE, 1000).state();
    }

    protected Optional<StreamState> delete(String stream, String id) {
        InboxChange change = store.apply(stream, InboxAction.DELETE, List.of(id));
        return change.matched().isEmpty() ? Optional.empty() : Optional.of(change.state());
    }

    protected static PublishRequest labelled(String stream, String type, String category, String... tags) {
        String json = "{\"type\":\"" + type + "\"" + (category == null ? "" : ",\"category\":\"" + category + "\"") + "}";
        return new PublishRequest(List.of(stream), false, type, json, null, null, category, List.of(tags), null, null, null);
    }

    private String id(String stream, PublishRequest request) {
        return store.publish(request).notifications().getFirst().id();
    }

    private InboxFilter active() {
        return InboxFilter.ACTIVE;
    }

    @Test
    void eachInboxActionMovesTheUnreadAndUnseenCountersByWhatItChanged() {
        String s = user("a");
        String a = id(s, to(s, "x"));
        String b = id(s, to(s, "x"));
        String c = id(s, to(s, "x"));
        assertThat(store.streamState(s)).isEqualTo(new StreamState(3, 3, 3));

        InboxChange seen = store.apply(s, InboxAction.SEEN, List.of(a));
        assertThat(seen.changed()).containsExactly(a);
        assertThat(seen.state()).isEqualTo(new StreamState(3, 3, 2));
        assertThat(store.apply(s, InboxAction.SEEN, List.of(a)).changed()).isEmpty(); // already seen
        assertThat(store.apply(s, InboxAction.READ, List.of(a, b)).state()).as("read is seen too")
                .isEqualTo(new StreamState(3, 1, 1));
        assertThat(store.apply(s, InboxAction.UNREAD, List.of(b)).state()).as("unread stays seen")
                .isEqualTo(new StreamState(3, 2, 1));
        assertThat(store.apply(s, InboxAction.ARCHIVE, List.of(b, c)).state()).as("archived leave the counts")
                .isEqualTo(new StreamState(3, 0, 0));
        assertThat(store.apply(s, InboxAction.READ, List.of(c)).state()).as("reading an archived one counts nothing")
                .isEqualTo(new StreamState(3, 0, 0));
        assertThat(store.apply(s, InboxAction.UNARCHIVE, List.of(b, c)).state()).as("back with their own state")
                .isEqualTo(new StreamState(3, 1, 0));
        assertThat(store.apply(s, InboxAction.DELETE, List.of(b)).state()).isEqualTo(new StreamState(3, 0, 0));

        StoredNotification left = store.readSince(s, 2, 1).getFirst();
        assertThat(left.id()).isEqualTo(c);
        assertThat(left.readAt()).isNotNull();
        assertThat(left.seenAt()).isNotNull();
        assertThat(left.archivedAt()).isNull();
    }

    @Test
    void anActionByIdsSkipsIdsOfOtherStreamsAndUnknownOnesAndChangesTheRestTogether() {
        String a = user("a");
        String b = user("b");
        String mine = id(a, to(a, "x"));
        String theirs = id(b, to(b, "x"));

        InboxChange change = store.apply(a, InboxAction.ARCHIVE, List.of(theirs, "no-such-id", mine, mine));

        assertThat(change.matched()).containsExactly(mine);
        assertThat(change.changed()).containsExactly(mine);
        assertThat(store.streamState(b)).isEqualTo(new StreamState(1, 1, 1));
        assertThat(store.list(b, new NotificationQuery(Long.MAX_VALUE, 10, active())).notifications()).hasSize(1);
        assertThat(store.apply(user("never"), InboxAction.READ, List.of(mine)).matched()).isEmpty();
        assertThat(store.apply(a, InboxAction.READ, List.of()).state()).isEqualTo(new StreamState(1, 0, 0));
        assertThatThrownBy(() -> store.apply(a, InboxAction.READ, IntStream.range(0, 1001).mapToObj(i -> "id" + i).toList()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishesKeepCategoryAndTagsAndTheFeedFiltersByThemWithLikeWildcardsTakenLiterally() {
        String s = user("a");
        String order = id(s, labelled(s, "order_created", "orders", "urgent", "a_b"));
        String promo = id(s, labelled(s, "promo", "marketing", "aXb"));
        String plain = id(s, to(s, "chat"));

        assertThat(ids(s, filter().category("orders"))).containsExactly(order);
        assertThat(ids(s, filter().tag("urgent"))).containsExactly(order);
        assertThat(ids(s, filter().tag("a_b"))).containsExactly(order);
        assertThat(ids(s, filter().tag("urg"))).isEmpty();
        assertThat(ids(s, filter().category("marketing").tag("aXb"))).containsExactly(promo);
        assertThat(ids(s, filter())).containsExactly(plain, promo, order);
        assertThat(store.readSince(s, 0, 1).getFirst().json())
                .isEqualTo("{\"type\":\"order_created\",\"category\":\"orders\"}");
    }

    @Test
    void theFeedFiltersByStateArchiveAndTimeRange() {
        String s = user("a");
        String a = id(s, to(s, "x"));
        String b = id(s, to(s, "x"));
        String c = id(s, to(s, "x"));
        store.apply(s, InboxAction.SEEN, List.of(a));
        store.apply(s, InboxAction.READ, List.of(b));
        store.apply(s, InboxAction.ARCHIVE, List.of(c));
        java.time.Instant created = store.readSince(s, 0, 1).getFirst().createdAt();

        assertThat(ids(s, filter())).containsExactly(b, a);
        assertThat(ids(s, filter().archived(InboxFilter.Archived.ARCHIVED))).containsExactly(c);
        assertThat(ids(s, filter().archived(InboxFilter.Archived.ANY))).containsExactly(c, b, a);
        assertThat(ids(s, filter().read(false))).containsExactly(a);
        assertThat(ids(s, filter().read(true))).containsExactly(b);
        assertThat(ids(s, filter().seen(false).archived(InboxFilter.Archived.ANY))).containsExactly(c);
        assertThat(ids(s, filter().seen(true))).containsExactly(b, a);
        assertThat(ids(s, filter().after(created))).containsExactly(b, a);
        assertThat(ids(s, filter().after(created.plusSeconds(60)))).isEmpty();
        assertThat(ids(s, filter().before(created))).isEmpty();
        assertThat(ids(s, filter().before(created.plusSeconds(60)))).containsExactly(b, a);
    }

    @Test
    void countsAnswerEachFilterInOrder() {
        String s = user("a");
        String a = id(s, labelled(s, "order_created", "orders"));
        id(s, labelled(s, "order_paid", "orders"));
        String c = id(s, labelled(s, "promo", "marketing"));
        store.apply(s, InboxAction.READ, List.of(a));
        store.apply(s, InboxAction.ARCHIVE, List.of(c));

        assertThat(store.counts(s, List.of(InboxFilter.ACTIVE, filter().category("orders").build(),
                filter().archived(InboxFilter.Archived.ARCHIVED).build(), filter().type("order_*").read(false).build(),
                filter().category("none").build())))
                .containsExactly(new InboxCounts(2, 1, 1), new InboxCounts(2, 1, 1), new InboxCounts(1, 1, 1),
                        new InboxCounts(1, 1, 1), new InboxCounts(0, 0, 0));
        assertThat(store.counts(user("never"), List.of(InboxFilter.ACTIVE))).containsExactly(new InboxCounts(0, 0, 0));
    }

    @Test
    void anActionByFilterRunsInBatchesUpToTheSeqItWasGivenAndTouchesOnlyMatches() {
        String s = user("a");
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(id(s, labelled(s, "order", "orders")));
            id(s, labelled(s, "promo", "marketing"));
        }
        InboxFilter inOrders = filter().category("orders").build();

        InboxChange first = store.applyToMatching(s, InboxAction.ARCHIVE, inOrders, 0, 8, 2);
        assertThat(first.changed()).containsExactlyElementsOf(orders.subList(0, 2));
        assertThat(first.more()).isTrue();
        InboxChange second = store.applyToMatching(s, InboxAction.ARCHIVE, inOrders, first.lastSeq(), 8, 2);
        assertThat(second.changed()).containsExactlyElementsOf(orders.subList(2, 4));
        InboxChange third = store.applyToMatching(s, InboxAction.ARCHIVE, inOrders, second.lastSeq(), 8, 2);
        assertThat(third.changed()).as("seq 9 is above the bound").isEmpty();
        assertThat(third.more()).isFalse();
        assertThat(third.state()).isEqualTo(new StreamState(10, 6, 6));
        assertThat(ids(s, filter().category("orders"))).containsExactly(orders.get(4));
        assertThat(store.applyToMatching(user("never"), InboxAction.READ, inOrders, 0, 10, 10).changed()).isEmpty();
    }

    protected static PublishRequest expiring(String stream, String type, java.time.Instant expiresAt) {
        return new PublishRequest(List.of(stream), false, type, "{\"type\":\"" + type + "\"}", null, null, null,
                List.of(), expiresAt, null, null);
    }

    /** Purges until nothing is due (other tests' rows may be due too); the changes of {@code stream}. */
    private List<InboxChange> purgeAll(java.time.Instant now, java.time.Instant retentionCutoff, String stream) {
        List<InboxChange> mine = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            List<InboxChange> changes = store.purgeDue(now, retentionCutoff, 1000);
            changes.stream().filter(c -> c.stream().equals(stream)).forEach(mine::add);
            if (changes.isEmpty()) {
                return mine;
            }
        }
        throw new AssertionError("the purge never ran dry");
    }

    @Test
    void anExpiredNotificationLeavesFeedsCountsAndReplayAtOnceAndThePurgeDeletesItWithItsCounts() {
        String s = user("a");
        java.time.Instant now = java.time.Instant.now();
        String kept = id(s, to(s, "x"));
        String expired = id(s, expiring(s, "x", now.minusSeconds(60)));
        String later = id(s, expiring(s, "x", now.plusSeconds(3600)));

        assertThat(ids(s, filter())).containsExactly(later, kept);
        assertThat(store.readSince(s, 0, 10)).extracting(StoredNotification::id).containsExactly(kept, later);
        assertThat(store.counts(s, List.of(InboxFilter.ACTIVE))).containsExactly(new InboxCounts(2, 2, 2));
        assertThat(store.streamState(s)).as("the counters until the purge").isEqualTo(new StreamState(3, 3, 3));

        List<InboxChange> purged = purgeAll(now, now.minus(Duration.ofDays(90)), s);

        assertThat(purged).hasSize(1);
        assertThat(purged.getFirst().action()).isEqualTo(InboxAction.DELETE);
        assertThat(purged.getFirst().changed()).containsExactly(expired);
        assertThat(purged.getFirst().state()).isEqualTo(new StreamState(3, 2, 2));
        assertThat(store.streamState(s)).isEqualTo(new StreamState(3, 2, 2));
        assertThat(purgeAll(now, now.minus(Duration.ofDays(90)), s)).as("nothing twice").isEmpty();
        assertThat(purgeAll(now.plusSeconds(7200), now.minus(Duration.ofDays(90)), s).getFirst().changed())
                .containsExactly(later);
    }

    @Test
    void notificationsOlderThanTheRetentionArePurgedAndTheCountersFollowWhateverTheirState() {
        String s = user("a");
        String read = id(s, to(s, "x"));
        String archived = id(s, to(s, "x"));
        store.apply(s, InboxAction.READ, List.of(read));
        store.apply(s, InboxAction.ARCHIVE, List.of(archived));
        java.time.Instant first = store.readSince(s, 0, 1).getFirst().createdAt();
        java.time.Instant last = store.readSince(s, 1, 1).getFirst().createdAt();
        assertThat(purgeAll(java.time.Instant.now(), first, s)).as("created at the cutoff, not before").isEmpty();
        await().atMost(Duration.ofSeconds(1)).until(() -> java.time.Instant.now().isAfter(last.plusMillis(2)));

        String fresh = id(s, to(s, "x"));
        List<InboxChange> purged = purgeAll(java.time.Instant.now(), last.plusMillis(1), s);

        assertThat(purged).flatExtracting(InboxChange::changed).containsExactlyInAnyOrder(read, archived);
        assertThat(store.streamState(s)).isEqualTo(new StreamState(3, 1, 1));
        assertThat(ids(s, filter().archived(InboxFilter.Archived.ANY))).containsExactly(fresh);
    }

    @Test
    void aPublishSkipsUsersWhosePreferencesMuteItAndKeepsEveryonesSeqsGapFree() throws Exception {
        String muting = user("muting");
        String other = user("other");
        store.setPreferences(muting, Preferences.parse(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"types\":{\"promo\":{\"in_app\":false}}}")));
        assertThat(store.preferences(muting).types()).containsKey("promo");
        assertThat(store.preferences(other)).isEqualTo(Preferences.DEFAULT);

        List<PublishResult> results = store.publishAll(List.of(to(muting, "order"),
                new PublishRequest(List.of(muting, other), false, "promo", "{\"type\":\"promo\"}", null, null),
                to(muting, "order")));

        assertThat(results.get(1).notifications()).extracting(StoredNotification::stream).containsExactly(other);
        assertThat(results.get(1).muted()).containsExactly(muting);
        assertThat(results.get(2).notifications().getFirst().seq()).as("no seq burnt for the muted one").isEqualTo(2);
        assertThat(results.get(2).notifications().getFirst().unreadAfter()).isEqualTo(2);
        assertThat(store.streamState(muting)).isEqualTo(new StreamState(2, 2, 2));
        assertThat(store.readSince(muting, 0, 10)).extracting(StoredNotification::type).containsExactly("order", "order");

        store.setPreferences(muting, Preferences.DEFAULT);
        assertThat(store.publish(new PublishRequest(List.of(muting), false, "promo", "{\"type\":\"promo\"}", null, null))
                .muted()).as("a changed document counts at once").isEmpty();
    }

    @Test
    void aCategorysDefaultMutesUsersWithoutPreferencesAndCriticalOnesReachEvenThoseWhoTurnedAllOff() throws Exception {
        String plain = user("plain");
        String off = user("off");
        store.setPreferences(off, Preferences.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"enabled\":false}")));
        store.putCategory(new InboxCategory(p + "marketing", false, true, false, "Offers"));
        store.putCategory(new InboxCategory(p + "security", true, true, true, "Sign-ins"));

        PublishResult promo = store.publish(labelled2(List.of(plain, off), "promo", p + "marketing"));
        PublishResult alert = store.publish(labelled2(List.of(plain, off), "login", p + "security"));
        PublishResult uncategorized = store.publish(labelled2(List.of(plain, off), "hello", null));

        assertThat(promo.muted()).containsExactlyInAnyOrder(plain, off);
        assertThat(alert.muted()).isEmpty();
        assertThat(uncategorized.muted()).containsExactly(off);
        assertThat(store.categories()).extracting(InboxCategory::name).contains(p + "marketing", p + "security");
        assertThat(store.deleteCategory(p + "marketing")).isTrue();
        assertThat(store.deleteCategory(p + "marketing")).isFalse();
        assertThat(store.publish(labelled2(List.of(plain), "promo", p + "marketing")).muted())
                .as("a deleted category has no defaults any more").isEmpty();
    }

    @Test
    void oneCategorysSettingsAreThoseAChangeThroughThisStoreMadeAtOnce() {
        String name = p + "digest";
        assertThat(store.category(name)).as("never configured").isEmpty();
        InboxCategory first = new InboxCategory(name, true, false, false, "Weekly");
        store.putCategory(first);
        assertThat(store.category(name)).contains(first);
        InboxCategory changed = new InboxCategory(name, false, true, true, "Daily");
        store.putCategory(changed);
        assertThat(store.category(name)).as("a change through this store is seen at once").contains(changed);
        assertThat(store.deleteCategory(name)).isTrue();
        assertThat(store.category(name)).as("deleted through this store").isEmpty();
    }

    private static PublishRequest labelled2(List<String> streams, String type, String category) {
        return new PublishRequest(streams, false, type, "{\"type\":\"" + type + "\"}", null, null, category, List.of(), null, null, null);
    }

    @Test
    void aScheduledPublishIsKeptUntilDueTakenByOneCallerAtATimeAndForgottenOnceReleased() {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        ScheduledPublish first = new ScheduledPublish(p + "k1", "hash-1", now.plusSeconds(60), "{\"x\":1}");
        assertThat(store.schedule(first)).isTrue();
        assertThat(store.schedule(first)).as("a retry").isFalse();
        assertThatThrownBy(() -> store.schedule(new ScheduledPublish(p + "k1", "hash-2", now, "{}")))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(mine(store.claimDue(now, Duration.ofSeconds(30), 100))).as("not due yet").isEmpty();

        java.time.Instant due = now.plusSeconds(61);
        assertThat(mine(store.claimDue(due, Duration.ofSeconds(30), 100))).containsExactly(first);
        assertThat(mine(store.claimDue(due, Duration.ofSeconds(30), 100))).as("leased to the first caller").isEmpty();
        assertThat(mine(store.claimDue(due.plusSeconds(31), Duration.ofSeconds(30), 100)))
                .as("taken again once the lease ran out").containsExactly(first);
        store.released(first.key());
        assertThat(mine(store.claimDue(due.plusSeconds(120), Duration.ofSeconds(30), 100))).isEmpty();

        assertThat(store.schedule(new ScheduledPublish(p + "k2", "h", now.plusSeconds(5), "{}"))).isTrue();
        assertThat(store.cancelScheduled(p + "k2")).isTrue();
        assertThat(store.cancelScheduled(p + "k2")).isFalse();
        assertThat(mine(store.claimDue(now.plusSeconds(10), Duration.ofSeconds(30), 100))).isEmpty();
    }

    private List<ScheduledPublish> mine(List<ScheduledPublish> claimed) {
        return claimed.stream().filter(s -> s.key().startsWith(p)).toList();
    }

    protected static PublishRequest grouped(List<String> streams, String key, java.time.Duration window, int n) {
        String json = "{\"type\":\"new_message\",\"group_key\":\"" + key + "\",\"n\":" + n + "}";
        return new PublishRequest(streams, false, "new_message", json, null, null, null, List.of(), null, key, window);
    }

    @Test
    void eventsOfOneGroupCollapseIntoOneUnreadItemThatMovesUpAndKeepsTheCount() {
        String s = user("a");
        String other = user("b");
        java.time.Duration hour = java.time.Duration.ofHours(1);
        StoredNotification first = store.publish(grouped(List.of(s, other), "chat:7", hour, 1)).notifications().getFirst();
        store.publish(to(s, "order"));
        List<PublishResult> more = store.publishAll(List.of(grouped(List.of(s), "chat:7", hour, 2),
                grouped(List.of(s), "chat:7", hour, 3)));

        StoredNotification latest = more.get(1).notifications().getFirst();
        assertThat(latest.seq()).isEqualTo(4);
        assertThat(latest.json()).isEqualTo("{\"type\":\"new_message\",\"group_key\":\"chat:7\",\"n\":3,"
                + "\"group_count\":3,\"group_replaces\":\"" + more.get(0).notifications().getFirst().id() + "\"}");
        assertThat(latest.unreadAfter()).as("one item for the group, one order").isEqualTo(2);
        assertThat(store.readSince(s, 0, 10)).extracting(StoredNotification::seq).containsExactly(2L, 4L);
        assertThat(store.streamState(s)).isEqualTo(new StreamState(4, 2, 2));
        assertThat(more.get(0).notifications().getFirst().json()).contains("\"group_replaces\":\"" + first.id() + "\"");
        assertThat(store.readSince(other, 0, 10)).as("each user has their own digest").hasSize(1);

        store.apply(s, InboxAction.READ, List.of(latest.id()));
        StoredNotification fresh = store.publish(grouped(List.of(s), "chat:7", hour, 4)).notifications().getFirst();
        assertThat(fresh.json()).as("a read digest is not joined: a new one starts").contains("\"group_count\":1")
                .doesNotContain("group_replaces");
        assertThat(store.readSince(s, 0, 10)).hasSize(3);
        assertThat(store.streamState(s)).isEqualTo(new StreamState(5, 2, 2));
    }

    @Test
    void aSeenDigestComesBackUnseenWithNewsAndAnOldOneIsNotJoined() throws Exception {
        String s = user("a");
        StoredNotification first = store.publish(grouped(List.of(s), "k", java.time.Duration.ofHours(1), 1))
                .notifications().getFirst();
        store.apply(s, InboxAction.SEEN, List.of(first.id()));
        assertThat(store.streamState(s)).isEqualTo(new StreamState(1, 1, 0));
        StoredNotification second = store.publish(grouped(List.of(s), "k", java.time.Duration.ofHours(1), 2))
                .notifications().getFirst();
        assertThat(second.json()).contains("\"group_count\":2");
        assertThat(store.streamState(s)).isEqualTo(new StreamState(2, 1, 1));

        await().atMost(Duration.ofSeconds(3)).until(() -> java.time.Instant.now().isAfter(second.createdAt().plusMillis(1100)));
        StoredNotification late = store.publish(grouped(List.of(s), "k", java.time.Duration.ofSeconds(1), 3))
                .notifications().getFirst();
        assertThat(late.json()).as("its latest event is older than the window").contains("\"group_count\":1");
        assertThat(store.streamState(s)).isEqualTo(new StreamState(3, 2, 2));
    }

    private List<String> ids(String s, Filter f) {
        return store.list(s, new NotificationQuery(Long.MAX_VALUE, 100, f.build())).notifications().stream()
                .map(StoredNotification::id).toList();
    }

    private static Filter filter() {
        return new Filter(InboxFilter.ACTIVE);
    }

    /** Builds filters in tests without eight positional arguments. */
    private record Filter(InboxFilter f) {
        Filter category(String v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), f.seen(), v, f.tag(), f.type(), f.createdAfter(), f.createdBefore()));
        }

        Filter tag(String v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), f.seen(), f.category(), v, f.type(), f.createdAfter(), f.createdBefore()));
        }

        Filter type(String v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), f.seen(), f.category(), f.tag(), v, f.createdAfter(), f.createdBefore()));
        }

        Filter read(boolean v) {
            return new Filter(f.withRead(v));
        }

        Filter seen(boolean v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), v, f.category(), f.tag(), f.type(), f.createdAfter(), f.createdBefore()));
        }

        Filter archived(InboxFilter.Archived v) {
            return new Filter(f.withArchived(v));
        }

        Filter after(java.time.Instant v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), f.seen(), f.category(), f.tag(), f.type(), v, f.createdBefore()));
        }

        Filter before(java.time.Instant v) {
            return new Filter(new InboxFilter(f.archived(), f.read(), f.seen(), f.category(), f.tag(), f.type(), f.createdAfter(), v));
        }

        InboxFilter build() {
            return f;
        }
    }

    @Test
    void reopeningAfterCloseKeepsNotificationsSeqsAndIdempotencyKeys() {
        String s = user("a");
        PublishResult first = store.publish(keyed(s, p + "k4", "h"));
        store.close();

        Store reopened = open(listener);
        assertThat(reopened.readSince(s, 0, 10)).extracting(StoredNotification::id)
                .containsExactly(first.notifications().getFirst().id());
        assertThat(reopened.publish(keyed(s, p + "k4", "h")).replayed()).isTrue();
        assertThat(reopened.publish(to(s, "x")).notifications().getFirst().seq()).isEqualTo(2);
    }

    @Test
    void closeDrainsQueuedPublishesAndLaterPublishesAreRefused() throws Exception {
        String s = user("a");
        List<Future<PublishResult>> futures = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                futures.add(pool.submit(() -> store.publish(to(s, "x"))));
            }
            // Close while publishes are in flight: close must write whatever is queued.
            await().atMost(Duration.ofSeconds(10)).until(() -> !listener.batches.isEmpty());
            store.close();
        }
        List<Long> acknowledged = new ArrayList<>();
        for (Future<PublishResult> f : futures) {
            try {
                acknowledged.add(f.get().notifications().getFirst().seq());
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("closed");
            }
        }
        assertThatThrownBy(() -> store.publish(to(s, "x"))).isInstanceOf(StoreUnavailableException.class);
        assertThat(store.isReachable()).isFalse();

        Store reopened = open(listener);
        assertThat(reopened.readSince(s, 0, 1000)).extracting(StoredNotification::seq)
                .containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    @Test
    void expiredIdempotencyKeysArePurgedAndCanBeUsedAgain() {
        String s = user("a");
        store.publish(keyed(s, p + "k5", "h"));
        purgeKeysCreatedBefore(store, java.time.Instant.now().plusSeconds(60));

        PublishResult again = store.publish(keyed(s, p + "k5", "other"));
        assertThat(again.replayed()).isFalse();
        assertThat(again.notifications().getFirst().seq()).isEqualTo(2);
    }

    @Test
    void isReachableAnswersTrueForAnOpenStore() {
        assertThat(store.isReachable()).isTrue();
    }

    @Test
    void invalidArgumentsAreRefusedNamingTheArgument() {
        assertThatThrownBy(() -> store.publish(to("user:" + "x".repeat(300), "t")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream");
        assertThatThrownBy(() -> store.streamState("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.apply(user("a"), InboxAction.READ, java.util.Arrays.asList("x", null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("ids");
        assertThatThrownBy(() -> store.apply(user("a"), null, List.of("x"))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
        assertThatThrownBy(() -> store.applyToMatching(user("a"), InboxAction.READ, InboxFilter.ACTIVE, 0, 10, 1001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void operationsAreTimedAsStoreLatencyByOp() {
        store.publish(to(user("a"), "x"));
        store.streamState(user("a"));

        assertThat(registry.get("herald.store.latency").tag("op", "publish").timer().count()).isEqualTo(1);
        // The writer records its batch after completing the caller.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.get("herald.store.latency").tag("op", "batch").timer().count() >= 1);
        assertThat(registry.get("herald.store.latency").tag("op", "streamState").timer().count()).isEqualTo(1);
    }
}
