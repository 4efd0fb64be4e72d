package dev.herald.server.chat.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.chat.RecordingBroker;
import dev.herald.server.stream.StreamEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PresenceTrackerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07.890Z");
    private static final Duration GRACE = Duration.ofMillis(300);

    /** The stored part of presence, in memory (the JDBC one is covered by the store contract). */
    private static class MapPresenceStore implements PresenceStore {
        final Map<String, Stored> rows = new ConcurrentHashMap<>();

        @Override
        public java.util.concurrent.CompletableFuture<Void> saveLastSeen(String userId, Instant at) {
            rows.merge(userId, new Stored(null, at), (old, n) -> new Stored(old.status(), at));
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public void saveStatus(String userId, String status) {
            rows.merge(userId, new Stored(status, null), (old, n) -> new Stored(status, old.lastSeen()));
        }

        @Override
        public Map<String, Stored> read(Collection<String> userIds) {
            Map<String, Stored> out = new java.util.HashMap<>();
            userIds.forEach(u -> {
                if (rows.containsKey(u)) {
                    out.put(u, rows.get(u));
                }
            });
            return out;
        }
    }

    private final RecordingBroker broker = new RecordingBroker();
    private final MapPresenceStore store = new MapPresenceStore();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, List<String>> partners = Map.of("ann", List.of("ben", "cat"), "ben", List.of("ann"));
    private final Set<String> connected = ConcurrentHashMap.newKeySet();
    private final PresenceTracker tracker = new PresenceTracker(store, users -> lookUp(partners, users),
            connected::contains, broker, scheduler, blocking, GRACE, Clock.fixed(NOW, ZoneOffset.UTC));

    /** The lookup over a map of partners: the users in it. */
    private static Map<String, List<String>> lookUp(Map<String, List<String>> partners, java.util.Collection<String> users) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        for (String u : users) {
            if (partners.containsKey(u)) {
                out.put(u, partners.get(u));
            }
        }
        return out;
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        blocking.shutdownNow();
    }

    private List<JsonNode> presenceFrames() {
        return broker.ofType("presence").stream().map(e -> {
            try {
                return JSON.readTree(e.json());
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        }).toList();
    }

    @Test
    void sessionsOpeningAndClosingWhileTheNodeShutsDownAreDroppedQuietly() {
        scheduler.shutdownNow();
        blocking.shutdownNow();
        connected.add("ann");
        assertThatCode(() -> tracker.firstSessionOpened("ann")).doesNotThrowAnyException();
        connected.remove("ann");
        assertThatCode(() -> tracker.lastSessionClosed("ann")).doesNotThrowAnyException();
        assertThat(presenceFrames()).isEmpty();
    }

    /**
     * After a mass disconnect the offline work (last seen queued to the store, the partners
     * looked up, the announcement) runs on one worker, users in batches: one partner query per
     * {@link PresenceTracker#ANNOUNCE_BATCH} users, never two at once, and every partner told.
     */
    @Test
    void aMassDisconnectLooksPartnersUpInBatchesOnOneWorker() throws Exception {
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger looked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean slowNow = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        int users = 4 * PresenceTracker.ANNOUNCE_BATCH + 7;
        MapPresenceStore rows = new MapPresenceStore();
        PresenceTracker.PartnerLookup slowPartners = us -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (slowNow.get()) {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
            lookups.incrementAndGet();
            looked.addAndGet(us.size());
            Map<String, List<String>> out = new java.util.HashMap<>();
            us.forEach(u -> out.put(u, List.of("watcher")));
            return out;
        };
        PresenceTracker storm = new PresenceTracker(rows, slowPartners, connected::contains, broker, scheduler, blocking,
                Duration.ofMillis(1), Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < users; i++) {
            storm.firstSessionOpened("storm" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> looked.get() == users);
        int onlineLookups = lookups.get();
        slowNow.set(true);
        for (int i = 0; i < users; i++) {
            storm.lastSessionClosed("storm" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 1);
        Thread.sleep(200); // the rest are due too: they wait for the one worker, not pile onto the store
        assertThat(inside.get()).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> looked.get() == 2 * users && rows.rows.size() == users);
        assertThat(most.get()).isEqualTo(1);
        // Batches, not one query per user: at least ANNOUNCE_BATCH users per query but for the last
        // of a run (going online, the first users came before the rest were queued).
        int offlineLookups = lookups.get() - onlineLookups;
        assertThat(offlineLookups).isLessThanOrEqualTo(users / PresenceTracker.ANNOUNCE_BATCH + 2);
        assertThat(onlineLookups).isLessThan(users);
        // Every user's online and offline reached the partner.
        await().atMost(Duration.ofSeconds(5)).until(() -> presenceFrames().size() == 2 * users);
        assertThat(presenceFrames()).filteredOn(f -> f.path("status").asText().equals("offline")).hasSize(users);
    }

    @Test
    void theFirstSessionAnnouncesOnlineToEveryPartner() {
        tracker.firstSessionOpened("ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 2);
        assertThat(broker.ofType("presence")).extracting(StreamEvent::stream).containsExactlyInAnyOrder("chatuser:ben", "chatuser:cat");
        assertThat(presenceFrames().get(0).get("status").asText()).isEqualTo("online");
        assertThat(presenceFrames().get(0).get("user_id").asText()).isEqualTo("ann");
        assertThat(tracker.isOnline("ann")).isTrue();
    }

    @Test
    void theLastSessionClosingGoesOfflineAfterTheGracePeriodAndStoresLastSeen() {
        tracker.firstSessionOpened("ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 2);
        long closedAt = System.nanoTime();
        tracker.lastSessionClosed("ann");
        assertThat(tracker.isOnline("ann")).as("still within the grace period").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 4);
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(GRACE);
        JsonNode offline = presenceFrames().get(3);
        assertThat(offline.get("status").asText()).isEqualTo("offline");
        assertThat(offline.get("last_seen").asText()).isEqualTo("2026-03-04T05:06:07.890Z");
        assertThat(store.rows.get("ann").lastSeen()).isEqualTo(NOW);
        assertThat(tracker.isOnline("ann")).isFalse();
        assertThat(tracker.presence(List.of("ann")).get(0))
                .isEqualTo(new PresenceView("ann", false, "available", NOW));
    }

    @Test
    void aReconnectWithinTheGracePeriodAnnouncesNothing() throws Exception {
        tracker.firstSessionOpened("ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 2);
        tracker.lastSessionClosed("ann");
        tracker.firstSessionOpened("ann");
        Thread.sleep(GRACE.toMillis() * 3);
        assertThat(broker.ofType("presence")).as("a page reload does not flap").hasSize(2);
        assertThat(store.rows).doesNotContainKey("ann");
        assertThat(tracker.isOnline("ann")).isTrue();
    }

    @Test
    void aStatusIsStoredAndPushedToPartnersAndTheUsersOwnConnections() throws Exception {
        assertThat(tracker.setStatus("ben", " busy ")).isEqualTo("busy");
        assertThat(broker.ofType("status_updated")).extracting(StreamEvent::stream)
                .containsExactlyInAnyOrder("chatuser:ann", "chatuser:ben");
        assertThat(JSON.readTree(broker.ofType("status_updated").get(0).json()).toString())
                .isEqualTo("{\"type\":\"status_updated\",\"user_id\":\"ben\",\"status\":\"busy\"}");
        tracker.setStatus("ben", "Out for lunch 🍜");
        assertThat(tracker.presence(List.of("ben", "nobody")))
                .containsExactly(new PresenceView("ben", false, "Out for lunch 🍜", null),
                        new PresenceView("nobody", false, "available", null));
    }

    @Test
    void anEmptyOrOverlongStatusIsRefusedNamingTheField() {
        assertThatThrownBy(() -> tracker.setStatus("ben", "  ")).hasMessageStartingWith("status:");
        assertThatThrownBy(() -> tracker.setStatus("ben", "x".repeat(101))).hasMessageStartingWith("status:");
        assertThatThrownBy(() -> tracker.setStatus("ben", "line\nbreak")).hasMessageStartingWith("status:");
        assertThat(broker.events()).isEmpty();
    }

    @Test
    void aUserWithoutPartnersIsTrackedButAnnouncedToNobody() throws Exception {
        tracker.firstSessionOpened("loner");
        tracker.lastSessionClosed("loner");
        await().atMost(Duration.ofSeconds(5)).until(() -> store.rows.containsKey("loner"));
        assertThat(broker.events()).isEmpty();
        assertThat(tracker.isOnline("loner")).isFalse();
    }

    @Test
    void aLastClosedThatArrivesAfterTheNextFirstOpenedDoesNotTakeAConnectedUserOffline() throws Exception {
        tracker.firstSessionOpened("ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 2);
        // Session 2 opened on another loop and its "first opened" ran before session 1's "last closed".
        connected.add("ann");
        tracker.firstSessionOpened("ann");
        tracker.lastSessionClosed("ann");
        Thread.sleep(GRACE.toMillis() * 3);
        assertThat(broker.ofType("presence")).hasSize(2);
        assertThat(tracker.isOnline("ann")).isTrue();
        // When that session closes too, the user goes offline as usual.
        connected.remove("ann");
        tracker.lastSessionClosed("ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.ofType("presence").size() == 4);
        assertThat(tracker.isOnline("ann")).isFalse();
    }
}
