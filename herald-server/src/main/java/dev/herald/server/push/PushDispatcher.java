package dev.herald.server.push;

import dev.herald.server.store.InboxCategory;
import dev.herald.server.store.Preferences;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.stream.Streams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sends the push outbox. On every node, one thread claims due jobs ({@link PushStore#claim}, a
 * lease keeps the other nodes off them) and hands each to a virtual thread, at most
 * {@link #CONCURRENT_JOBS} at a time; a job's sends to its devices run in parallel through each
 * platform's {@link PushSender}. For each job, in order:
 *
 * <ol>
 *   <li>its notification was deleted or expired: dropped;</li>
 *   <li>{@code if_unseen_after} and the user saw it: dropped; {@code when_offline} and the user
 *       has a live connection on any node: dropped;</li>
 *   <li>a newer job of the user has the same collapse key: dropped (the newer one replaces it);</li>
 *   <li>the user's preferences no longer allow push for it (changed since the publish): dropped;</li>
 *   <li>inside the user's quiet hours (and not of a critical category): put off until they end,
 *       then sent only if still unseen;</li>
 *   <li>sent to each device; a device the provider calls gone is removed; a transient failure is
 *       retried for that device alone, after the provider's {@code Retry-After} or an exponential
 *       backoff with jitter, at most {@link #MAX_ATTEMPTS} tries and never past the push's ttl.</li>
 * </ol>
 *
 * A job is deleted only once its outcome is stored, so a node that dies mid-job leaves it to be
 * sent again after the lease: delivery is at least once per device. Publishing never waits for
 * any of this. Thread-safe; {@link #wake} may be called from any thread and never blocks.
 */
public final class PushDispatcher implements AutoCloseable {
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration POLL = Duration.ofMillis(250);
    static final int BATCH = 100;
    static final int CONCURRENT_JOBS = 64;
    public static final int MAX_ATTEMPTS = 8;
    /** The longest a job waits for its providers' answers; a send unanswered by then is retried. */
    static final Duration SEND_WAIT = Duration.ofSeconds(30);
    /** The longest {@link #close} waits for the jobs in hand. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofHours(1);
    /** How long the attempts history is kept. */
    public static final Duration HISTORY = Duration.ofDays(7);
    private static final Duration HOUSEKEEPING = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

    private final PushStore store;
    private final Map<PushPlatform, PushSender> senders;
    private final PushMessages messages;
    private final Function<String, Preferences> preferences;
    private final Function<String, Optional<InboxCategory>> categories;
    private final Predicate<String> online;
    private final Clock clock;
    private final Semaphore slots = new Semaphore(CONCURRENT_JOBS);
    private final Semaphore wakeUp = new Semaphore(0);
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("herald-push-", 0).factory());
    private final Thread claimer;
    private volatile boolean running = true;
    private volatile String lastFailure;
    private final AtomicLong pending = new AtomicLong();
    private final MeterRegistry registry;
    /** Counters by platform/outcome and by skip reason: registered once, not looked up per push. */
    private final Map<String, Counter> sends = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> skips = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer latency;

    /**
     * @param senders     one per configured platform; a device of another platform records a failure
     * @param preferences the user's preferences by user stream
     * @param categories  an app category's settings by name (critical ones ignore quiet hours)
     * @param online      whether a user (by user id) has a live connection on any node
     */
    public PushDispatcher(PushStore store, List<PushSender> senders, PushMessages messages,
                          Function<String, Preferences> preferences, Function<String, Optional<InboxCategory>> categories,
                          Predicate<String> online, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.senders = new EnumMap<>(PushPlatform.class);
        senders.forEach(s -> this.senders.put(s.platform(), s));
        this.messages = messages;
        this.preferences = preferences;
        this.categories = categories;
        this.online = online;
        this.clock = clock;
        this.registry = registry;
        this.latency = Timer.builder("herald.push.latency")
                .description("from a notification's commit to its push's acceptance by the provider")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("herald.push.outbox", pending, AtomicLong::get)
                .description("push jobs in the outbox (all nodes), read every 30 s").register(registry);
        this.claimer = Thread.ofPlatform().name("herald-push-claimer").daemon(true).start(this::claimLoop);
    }

    /** Jobs were written: claim at once instead of at the next poll. */
    public void wake() {
        if (wakeUp.availablePermits() == 0) {
            wakeUp.release();
        }
    }

    private void claimLoop() {
        long nextHousekeeping = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextHousekeeping >= 0) {
                    housekeeping();
                    nextHousekeeping = System.nanoTime() + HOUSEKEEPING.toNanos();
                }
                if (slots.availablePermits() == 0) {
                    slots.acquire(); // wait for a job to end; only this thread takes slots
                    slots.release();
                }
                int want = Math.min(BATCH, slots.availablePermits());
                List<PushJob> claimed;
                try {
                    claimed = store.claim(clock.instant(), LEASE, want);
                    lastFailure = null;
                } catch (RuntimeException e) {
                    failed("claiming push jobs", e);
                    Thread.sleep(1000);
                    continue;
                }
                for (PushJob job : claimed) {
                    slots.acquire();
                    jobs.execute(() -> {
                        try {
                            handle(job);
                        } finally {
                            slots.release();
                        }
                    });
                }
                if (claimed.size() < want) {
                    wakeUp.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the outbox's size for the gauge and deletes history older than {@link #HISTORY}. */
    private void housekeeping() {
        try {
            pending.set(store.pending());
            store.purgeAttempts(clock.instant().minus(HISTORY), 10_000);
        } catch (RuntimeException e) {
            failed("push housekeeping", e);
        }
    }

    /** One job, start to end; a failure leaves it to be taken again after its lease. */
    void handle(PushJob job) {
        try {
            Instant now = clock.instant();
            Optional<PushedNotification> found = store.notification(job, now);
            String skip = skipReason(job, found);
            if (skip != null) {
                skipped(skip);
                store.finish(job, List.of(), List.of());
                return;
            }
            PushedNotification notification = found.get();
            Preferences prefs = preferences.apply(job.userStream());
            if (!prefs.equals(Preferences.DEFAULT) && !prefs.allows(Preferences.PUSH, notification.category(),
                    notification.category() == null ? null : categories.apply(notification.category()).orElse(null),
                    notification.type())) {
                skipped("muted"); // the user turned push off after the publish
                store.finish(job, List.of(), List.of());
                return;
            }
            Instant quietUntil = quietUntil(prefs, notification, now);
            if (quietUntil != null) {
                skipped("quiet_hours");
                store.defer(job, quietUntil, PushPolicy.IF_UNSEEN_AFTER);
                return;
            }
            List<PushDevice> devices = devices(job);
            if (devices.isEmpty()) {
                skipped("no_device");
                store.finish(job, List.of(), List.of());
                return;
            }
            send(job, notification, devices, now);
        } catch (RuntimeException e) {
            failed("push job of " + job.userStream(), e);
        }
    }

    /** Why the job is not sent at all, or null to go on. */
    private String skipReason(PushJob job, Optional<PushedNotification> notification) {
        if (notification.isEmpty()) {
            return "deleted";
        }
        if (job.policy() == PushPolicy.IF_UNSEEN_AFTER && notification.get().seen()) {
            return "seen";
        }
        if (job.policy() == PushPolicy.WHEN_OFFLINE && online.test(Streams.userId(job.userStream()))) {
            return "online";
        }
        if (job.deviceId() == null && store.supersededByNewer(job)) {
            return "collapsed";
        }
        return null;
    }

    /** When the user's quiet hours end, if they hold now and the category is not critical; else null. */
    private Instant quietUntil(Preferences prefs, PushedNotification notification, Instant now) {
        Preferences.QuietHours quiet = prefs.quietHours();
        if (quiet == null || !quiet.contains(now)) {
            return null;
        }
        if (notification.category() != null
                && categories.apply(notification.category()).map(InboxCategory::critical).orElse(false)) {
            return null;
        }
        ZonedDateTime local = now.atZone(quiet.timeZone());
        ZonedDateTime end = local.with(quiet.end());
        if (!end.isAfter(local)) {
            end = local.plusDays(1).with(quiet.end());
        }
        return end.toInstant();
    }

    private List<PushDevice> devices(PushJob job) {
        if (job.deviceId() == null) {
            return store.devices(job.userStream());
        }
        return store.device(job.deviceId()).filter(d -> d.userStream().equals(job.userStream())).map(List::of)
                .orElse(List.of());
    }

    private void send(PushJob job, PushedNotification notification, List<PushDevice> devices, Instant now) {
        List<CompletableFuture<PushOutcome>> answers = new ArrayList<>(devices.size());
        List<PushMessage> sent = new ArrayList<>(devices.size());
        for (PushDevice device : devices) {
            PushMessage message = messages.build(job, notification, device, now);
            sent.add(message);
            PushSender sender = senders.get(device.platform());
            answers.add(sender == null
                    ? CompletableFuture.completedFuture(PushOutcome.failed(0, device.platform().wireName()
                            + " is not configured on this server"))
                    : sender.send(device, message).completeOnTimeout(
                            PushOutcome.retry(0, "no answer within " + SEND_WAIT.toSeconds() + " s", null),
                            SEND_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        List<PushAttempt> attempts = new ArrayList<>(devices.size());
        List<PushStore.Retry> retries = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            PushDevice device = devices.get(i);
            PushOutcome outcome = answers.get(i).join();
            Instant at = clock.instant();
            int attempt = job.attempts() + 1;
            String result = switch (outcome.result()) {
                case SENT -> {
                    latency.record(Duration.between(job.createdAt(), at));
                    yield "sent";
                }
                case GONE -> "gone";
                case FAILED -> "failed";
                case RETRY -> {
                    Instant due = at.plus(backoff(attempt, outcome.retryAfter()));
                    boolean expired = !due.isBefore(now.plus(sent.get(i).ttl()));
                    if (attempt >= MAX_ATTEMPTS || expired) {
                        yield "dropped";
                    }
                    retries.add(new PushStore.Retry(device.id(), due, attempt));
                    yield "retry";
                }
            };
            String reason = result.equals("dropped")
                    ? (attempt >= MAX_ATTEMPTS ? "gave up after " + attempt + " tries: " : "ttl passed: ") + outcome.reason()
                    : outcome.reason();
            attempts.add(new PushAttempt(device.id(), at, job.notificationId(), result, outcome.status(), reason, attempt));
            counter(sends, device.platform().wireName() + "/" + result, () -> Counter.builder("herald.push.sends")
                    .description("pushes sent to providers, by platform and outcome")
                    .tag("platform", device.platform().wireName()).tag("outcome", result)).increment();
            if (result.equals("gone")) {
                log.info("push device removed: {} ({} {})", device, outcome.status(), outcome.reason());
            }
        }
        store.finish(job, attempts, retries);
    }

    /**
     * The wait before try {@code attempt + 1}: {@link #FIRST_BACKOFF} doubled per try, at most
     * {@link #MAX_BACKOFF}, with up to 20% jitter so that retries of a provider outage spread; never
     * shorter than the provider's {@code Retry-After}.
     */
    static Duration backoff(int attempt, Duration retryAfter) {
        long base = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        long jittered = capped - ThreadLocalRandom.current().nextLong(capped / 5 + 1);
        Duration wait = Duration.ofMillis(jittered);
        return retryAfter != null && retryAfter.compareTo(wait) > 0 ? retryAfter : wait;
    }

    private void skipped(String reason) {
        counter(skips, reason, () -> Counter.builder("herald.push.skipped").description("push jobs not sent, by reason")
                .tag("reason", reason)).increment();
    }

    /** The counter of {@code key}, registered on its first use and looked up in {@code cache} after. */
    private Counter counter(Map<String, Counter> cache, String key, java.util.function.Supplier<Counter.Builder> builder) {
        return cache.computeIfAbsent(key, k -> builder.get().register(registry));
    }

    /** One log line per distinct failure, not one per job. */
    private void failed(String what, RuntimeException e) {
        String message = what + ": " + e.getMessage();
        if (!message.equals(lastFailure)) {
            log.warn("{} failed; the jobs are taken again after their lease ({})", what, e.toString());
        }
        lastFailure = message;
    }

    /**
     * Stops claiming, lets the jobs in hand finish for at most {@link #CLOSE_WAIT} (a node's
     * shutdown is not held up by a slow provider), then interrupts the rest, whose leases run out so
     * that they are sent again (by another node, or this one after its restart); closes the senders.
     */
    @Override
    public void close() {
        running = false;
        claimer.interrupt();
        try {
            claimer.join(5_000);
            jobs.shutdown();
            if (!jobs.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("push jobs still running at shutdown; their leases will expire and another node sends them");
                jobs.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            senders.values().forEach(PushSender::close);
        }
    }
}
