package dev.herald.server.push.jdbc;

import dev.herald.server.push.PushAttempt;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushJob;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushStore;
import dev.herald.server.store.InboxAction;
import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.PublishRequest;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import dev.herald.server.store.jdbc.JdbcStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push tables as the publish transaction writes them and {@link JdbcPushStore} takes them,
 * on a real database (H2 and PostgreSQL subclasses). Each test works on users of its own, and
 * claims only jobs it wrote (their notification ids), as the subclasses share one database per class.
 */
abstract class PushStoreContract {
    private static final AtomicInteger SEQ = new AtomicInteger();
    protected JdbcStore store;
    protected JdbcPushStore push;
    private final AtomicInteger wakes = new AtomicInteger();
    private String p;

    protected abstract JdbcStore openStore(SimpleMeterRegistry registry);

    @BeforeEach
    void open() {
        p = "t" + SEQ.incrementAndGet() + UUID.randomUUID().toString().substring(0, 6);
        store = openStore(new SimpleMeterRegistry());
        store.onPushJobs(wakes::incrementAndGet);
        push = new JdbcPushStore(store.dataSource());
        drainOtherJobs();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String user(String id) {
        return "user:" + p + id;
    }

    private PushDevice webDevice(String user, String endpoint, Instant at) {
        return new PushDevice("-", user, PushPlatform.WEBPUSH, "https://push.example/" + p + endpoint, "BPk", "auth", null,
                false, at);
    }

    private PublishResult publish(List<String> streams, String category, PushRequest pushRequest) {
        return store.publish(new PublishRequest(streams, false, "order_ready", "{\"type\":\"order_ready\",\"title\":\"Ready\"}",
                null, null, category, List.of(), null, null, null, pushRequest));
    }

    private static PushRequest always() {
        return new PushRequest(PushPolicy.ALWAYS, Duration.ZERO, null, null);
    }

    /** Every job due now, claimed (in batches), for this test's users only. */
    private List<PushJob> claimMine() {
        List<PushJob> mine = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            List<PushJob> batch = push.claim(Instant.now(), Duration.ofMinutes(5), 100);
            batch.stream().filter(j -> j.userStream().startsWith("user:" + p)).forEach(mine::add);
            if (batch.size() < 100) {
                break;
            }
        }
        return mine;
    }

    /** Jobs other tests left behind would be claimed with this test's. */
    private void drainOtherJobs() {
        for (int i = 0; i < 50 && push.claim(Instant.now().plus(Duration.ofDays(2)), Duration.ofDays(3650), 1000).size() == 1000; i++) {
            // claimed for ten years: out of every later test's way
        }
    }

    @Test
    void registeringAnAddressAgainKeepsItsIdAndMovesItToTheNewOwner() {
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        PushStore.Registered first = push.register(webDevice(user("a"), "x", t), 20);
        assertThat(first.created()).isTrue();
        assertThat(first.device().id()).startsWith("d_");
        PushStore.Registered again = push.register(webDevice(user("b"), "x", t.plusSeconds(1)), 20);
        assertThat(again.created()).isFalse();
        assertThat(again.device().id()).isEqualTo(first.device().id());
        assertThat(push.devices(user("a"))).isEmpty();
        assertThat(push.devices(user("b"))).extracting(PushDevice::id).containsExactly(first.device().id());
        assertThat(push.device(first.device().id()).orElseThrow().userStream()).isEqualTo(user("b"));
    }

    @Test
    void aUserOverTheLimitLosesTheLongestRegisteredDevices() {
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(push.register(webDevice(user("a"), "e" + i, t.plusSeconds(i)), 3).device().id());
        }
        assertThat(push.devices(user("a"))).extracting(PushDevice::id).containsExactly(ids.get(3), ids.get(2), ids.get(1));
    }

    @Test
    void aDeviceIsRemovedOnlyByItsOwner() {
        String id = push.register(webDevice(user("a"), "x", Instant.now()), 20).device().id();
        assertThat(push.remove(user("b"), id)).isFalse();
        assertThat(push.devices(user("a"))).hasSize(1);
        assertThat(push.remove(user("a"), id)).isTrue();
        assertThat(push.devices(user("a"))).isEmpty();
    }

    @Test
    void aPublishThatAsksForPushWritesOneJobPerUserStreamInItsTransaction() {
        int before = wakes.get();
        PublishResult r = publish(List.of(user("a"), user("b"), "branch:" + p), null, always());
        List<PushJob> jobs = claimMine();
        assertThat(jobs).extracting(PushJob::userStream).containsExactlyInAnyOrder(user("a"), user("b"));
        assertThat(jobs).extracting(PushJob::notificationId)
                .containsExactlyInAnyOrderElementsOf(r.notifications().stream().filter(n -> n.stream().startsWith("user:"))
                        .map(n -> n.id()).toList());
        assertThat(jobs).allSatisfy(j -> {
            assertThat(j.policy()).isEqualTo(PushPolicy.ALWAYS);
            assertThat(j.deviceId()).isNull();
        });
        assertThat(wakes.get()).as("the dispatcher is woken after the commit").isGreaterThan(before);
    }

    @Test
    void aPublishWithoutPushWritesNoJob() {
        publish(List.of(user("a")), null, null);
        publish(List.of(user("a")), null, PushRequest.NONE);
        assertThat(claimMine()).isEmpty();
    }

    @Test
    void theCategoryDefaultAppliesUnlessThePublishChoosesAndPushFalseWins() {
        String category = "c" + p;
        store.putCategory(new InboxCategory(category, true, true, false, "", PushRequest.of(PushPolicy.IF_UNSEEN_AFTER,
                Duration.ofSeconds(30))));
        publish(List.of(user("a")), category, null);
        publish(List.of(user("b")), category, PushRequest.NONE);
        publish(List.of(user("c")), category, new PushRequest(PushPolicy.WHEN_OFFLINE, Duration.ZERO, null, null));
        assertThat(claimMine()).extracting(PushJob::userStream, PushJob::policy)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(user("c"), PushPolicy.WHEN_OFFLINE));
        // The category's job is due 30 s after the commit.
        List<PushJob> later = push.claim(Instant.now().plusSeconds(31), Duration.ofMinutes(5), 1000).stream()
                .filter(j -> j.userStream().startsWith("user:" + p)).toList();
        assertThat(later).extracting(PushJob::userStream, PushJob::policy)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(user("a"), PushPolicy.IF_UNSEEN_AFTER));
    }

    @Test
    void aUserWhoMutedPushGetsTheNotificationButNoJob() {
        store.setPreferences(user("a"), Preferences.parse("{\"channels\": {\"push\": false}}"));
        PublishResult r = publish(List.of(user("a"), user("b")), null, always());
        assertThat(r.notifications()).hasSize(2);
        assertThat(claimMine()).extracting(PushJob::userStream).containsExactly(user("b"));
    }

    @Test
    void aDigestsPushesCollapseByItsGroup() {
        store.publish(new PublishRequest(List.of(user("a")), false, "like", "{\"type\":\"like\"}", null, null, null,
                List.of(), null, "post-7", Duration.ofHours(1), always()));
        store.publish(new PublishRequest(List.of(user("a")), false, "like", "{\"type\":\"like\"}", null, null, null,
                List.of(), null, "post-7", Duration.ofHours(1), always()));
        List<PushJob> jobs = claimMine();
        assertThat(jobs).hasSize(2).allSatisfy(j -> assertThat(j.collapseKey()).isEqualTo("post-7"));
        PushJob older = jobs.stream().min(java.util.Comparator.comparingLong(PushJob::seq)).orElseThrow();
        PushJob newer = jobs.stream().max(java.util.Comparator.comparingLong(PushJob::seq)).orElseThrow();
        assertThat(push.supersededByNewer(older)).isTrue();
        assertThat(push.supersededByNewer(newer)).isFalse();
    }

    @Test
    void eachJobGoesToExactlyOneOfSeveralClaimersAndComesBackAfterItsLease() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            users.add(user("u" + i));
        }
        publish(users, null, always());
        JdbcPushStore other = new JdbcPushStore(store.dataSource());
        List<Callable<List<PushJob>>> claimers = new ArrayList<>();
        for (JdbcPushStore s : List.of(push, other, push, other)) {
            claimers.add(() -> s.claim(Instant.now(), Duration.ofMinutes(5), 25));
        }
        List<PushJob> all = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<List<PushJob>> f : pool.invokeAll(claimers)) {
                all.addAll(f.get().stream().filter(j -> j.userStream().startsWith("user:" + p)).toList());
            }
        }
        all.addAll(claimMine());
        Set<Long> ids = new HashSet<>();
        all.forEach(j -> assertThat(ids.add(j.id())).as("job %s claimed twice", j.id()).isTrue());
        assertThat(ids).hasSize(60);
        assertThat(claimMine()).as("leased").isEmpty();
        List<PushJob> afterLease = push.claim(Instant.now().plus(Duration.ofMinutes(6)), Duration.ofMinutes(5), 1000).stream()
                .filter(j -> j.userStream().startsWith("user:" + p)).toList();
        assertThat(afterLease).hasSize(60);
    }

    @Test
    void theNotificationIsReadWithItsSeenStateAndTheBadgeAndIsGoneOnceDeletedOrExpired() {
        PublishResult r = publish(List.of(user("a")), null, always());
        store.publish(new PublishRequest(List.of(user("a")), false, "t", "{\"type\":\"t\"}", null, null, null, List.of(),
                Instant.now().plusSeconds(2), null, null, always()));
        List<PushJob> jobs = claimMine();
        PushJob first = jobs.stream().filter(j -> j.notificationId().equals(r.notifications().get(0).id())).findFirst().orElseThrow();
        PushJob expiring = jobs.stream().filter(j -> j != first).findFirst().orElseThrow();
        var n = push.notification(first, Instant.now()).orElseThrow();
        assertThat(n.seen()).isFalse();
        assertThat(n.unseenCount()).isEqualTo(2);
        assertThat(n.json()).contains("order_ready");
        store.apply(user("a"), InboxAction.SEEN, List.of(first.notificationId()));
        assertThat(push.notification(first, Instant.now()).orElseThrow().seen()).isTrue();
        assertThat(push.notification(expiring, Instant.now().plusSeconds(3))).as("expired").isEmpty();
        store.apply(user("a"), InboxAction.DELETE, List.of(first.notificationId()));
        assertThat(push.notification(first, Instant.now())).isEmpty();
    }

    @Test
    void finishingRecordsAttemptsRemovesGoneDevicesAndWritesRetriesForOneDevice() {
        String gone = push.register(webDevice(user("a"), "gone", Instant.now()), 20).device().id();
        String flaky = push.register(webDevice(user("a"), "flaky", Instant.now()), 20).device().id();
        String fine = push.register(webDevice(user("a"), "fine", Instant.now()), 20).device().id();
        publish(List.of(user("a")), null, always());
        PushJob job = claimMine().get(0);
        Instant at = Instant.now();
        Instant due = at.plusSeconds(7);
        push.finish(job, List.of(
                new PushAttempt(gone, at, job.notificationId(), "gone", 410, "Gone", 1),
                new PushAttempt(flaky, at, job.notificationId(), "retry", 429, "slow down", 1),
                new PushAttempt(fine, at, job.notificationId(), "sent", 201, "", 1)),
                List.of(new PushStore.Retry(flaky, due, 1)));
        assertThat(push.devices(user("a"))).extracting(PushDevice::id).containsExactlyInAnyOrder(flaky, fine);
        assertThat(push.attempts(gone, 10)).extracting(PushAttempt::outcome, PushAttempt::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gone", 410));
        assertThat(claimMine()).as("the job itself is done; the retry is not due yet").isEmpty();
        List<PushJob> retry = push.claim(due.plusSeconds(1), Duration.ofMinutes(5), 1000).stream()
                .filter(j -> j.userStream().equals(user("a"))).toList();
        assertThat(retry).singleElement().satisfies(j -> {
            assertThat(j.deviceId()).isEqualTo(flaky);
            assertThat(j.attempts()).isEqualTo(1);
            assertThat(j.notificationId()).isEqualTo(job.notificationId());
            assertThat(j.policy()).isEqualTo(PushPolicy.ALWAYS);
        });
    }

    @Test
    void aDeferredJobComesBackWhenDueWithItsNewPolicy() {
        publish(List.of(user("a")), null, always());
        PushJob job = claimMine().get(0);
        Instant until = Instant.now().plus(Duration.ofHours(3));
        push.defer(job, until, PushPolicy.IF_UNSEEN_AFTER);
        assertThat(claimMine()).isEmpty();
        assertThat(push.claim(until.plusSeconds(1), Duration.ofMinutes(5), 1000).stream()
                .filter(j -> j.id() == job.id()).toList())
                .singleElement().extracting(PushJob::policy).isEqualTo(PushPolicy.IF_UNSEEN_AFTER);
    }

    @Test
    void oldAttemptsArePurgedInBatches() {
        String id = push.register(webDevice(user("a"), "x", Instant.now()), 20).device().id();
        publish(List.of(user("a")), null, always());
        PushJob job = claimMine().get(0);
        Instant old = Instant.now().minus(Duration.ofDays(8));
        List<PushAttempt> attempts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            attempts.add(new PushAttempt(id, old.plusSeconds(i), job.notificationId(), "retry", 503, "", i + 1));
        }
        attempts.add(new PushAttempt(id, Instant.now(), job.notificationId(), "sent", 201, "", 6));
        push.finish(job, attempts, List.of());
        int purged = 0;
        for (int i = 0; i < 10; i++) {
            purged += push.purgeAttempts(Instant.now().minus(Duration.ofDays(7)), 2);
        }
        assertThat(purged).isGreaterThanOrEqualTo(5);
        assertThat(push.attempts(id, 10)).extracting(PushAttempt::outcome).containsExactly("sent");
    }
}
