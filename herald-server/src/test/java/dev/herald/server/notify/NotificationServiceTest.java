package dev.herald.server.notify;

import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.testing.UnsupportedStore;
import dev.herald.server.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Recording new users: batched while the store is busy, and a bad stream fails alone. */
class NotificationServiceTest {

    /** Records each ensureStreams call; the first one waits until the test lets it go. */
    private static final class RecordingStore extends UnsupportedStore {
        final List<Set<String>> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch firstCallMayFinish = new CountDownLatch(1);
        final CountDownLatch firstCallStarted = new CountDownLatch(1);

        @Override
        public void ensureStreams(Collection<String> streams) {
            calls.add(new TreeSet<>(streams));
            if (firstCallStarted.getCount() > 0) {
                firstCallStarted.countDown();
                try {
                    firstCallMayFinish.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (String s : streams) {
                if (s.contains("bad")) {
                    throw new IllegalArgumentException("stream: too long");
                }
            }
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool(); // the service's background
    private final RecordingStore store = new RecordingStore();
    private final NotificationService service = new NotificationService(store, new InProcessBroker(), threads);

    @AfterEach
    void stop() {
        store.firstCallMayFinish.countDown();
        threads.shutdownNow();
    }

    /** A knowUser call on its own thread; the future holds its outcome. */
    private record Caller(Thread thread, CompletableFuture<Void> outcome) {
    }

    private Caller knowUser(String stream) {
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                service.knowUser(stream);
                outcome.complete(null);
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return new Caller(t, outcome);
    }

    /** Starts a first user whose recording holds the store, then the others while it does. */
    private List<CompletableFuture<Void>> usersArrivingWhileTheStoreIsBusy(String first, String... others) throws Exception {
        List<Caller> callers = new ArrayList<>();
        callers.add(knowUser(first));
        assertThat(store.firstCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
        for (String s : others) {
            callers.add(knowUser(s));
        }
        // A caller is queued once it waits for its recording (a timed wait in knowUser).
        await().atMost(Duration.ofSeconds(5)).until(() -> callers.stream()
                .allMatch(c -> c.thread().getState() == Thread.State.TIMED_WAITING));
        store.firstCallMayFinish.countDown();
        return callers.stream().map(Caller::outcome).toList();
    }

    @Test
    void usersArrivingWhileTheStoreIsBusyAreRecordedTogether() throws Exception {
        List<CompletableFuture<Void>> all = usersArrivingWhileTheStoreIsBusy("user:a", "user:b", "user:c", "user:d");

        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(store.calls).containsExactly(Set.of("user:a"), Set.of("user:b", "user:c", "user:d"));

        service.knowUser("user:c"); // known now: no store call
        assertThat(store.calls).hasSize(2);
    }

    @Test
    void aStreamTheStoreRefusesFailsAloneAndTheOthersAreRecorded() throws Exception {
        List<CompletableFuture<Void>> all = usersArrivingWhileTheStoreIsBusy("user:a", "user:b", "user:bad", "user:c");

        all.get(0).get(10, TimeUnit.SECONDS);
        all.get(1).get(10, TimeUnit.SECONDS);
        all.get(3).get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> all.get(2).join()).hasCauseInstanceOf(StoreUnavailableException.class)
                .hasRootCauseMessage("stream: too long");
        assertThat(store.calls).contains(Set.of("user:b", "user:bad", "user:c"), Set.of("user:b"), Set.of("user:c"),
                Set.of("user:bad"));
    }
}
