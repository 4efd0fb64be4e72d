package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node is stopped under a connected client and a new process starts on the same port and
 * data; notifications are published to it before the client is let back in. The client must
 * deliver every notification exactly once, in seq order.
 */
class ResumeAcrossRestartEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    @Test
    void notificationsPublishedWhileTheClientWasAwayArriveOnceEachInSeqOrder() throws Exception {
        // The pluggable backoff holds the client away (10 min) until the test lets it back in with reconnectNow().
        AtomicReference<Duration> delay = new AtomicReference<>(Duration.ofMinutes(10));
        List<Long> seqs = new CopyOnWriteArrayList<>();
        EventLog log = new EventLog();
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).token(Tokens.user("resume-ann", Duration.ofHours(1)))
                .backoff(attempt -> delay.get()).build()) {
            client.addConnectionListener(log);
            client.addNotificationListener(n -> seqs.add(n.seq()));
            client.connect().get(10, TimeUnit.SECONDS);
            try (HeraldAdmin admin = herald.node().admin()) {
                for (int i = 1; i <= 3; i++) {
                    admin.publish(Publish.toUser("resume-ann").notification("order_status_changed", Map.of("step", i)).build());
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 3);

            herald.node().stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.count("reconnecting") >= 1);
            assertThat(log.disconnects.get(0).closeCode()).isEqualTo(1001); // "server shutting down, reconnect and resume"
            assertThat(log.disconnects.get(0).reconnecting()).isTrue();

            herald.node().restart(); // a new process on the same port and data dir
            try (HeraldAdmin admin = herald.node().admin()) {
                for (int i = 4; i <= 6; i++) {
                    admin.publish(Publish.toUser("resume-ann").notification("order_status_changed", Map.of("step", i)).build());
                }
                assertThat(log.count("connected")).as("still away while 4-6 were published").isEqualTo(1);
                delay.set(Duration.ofMillis(100));
                client.reconnectNow();
                await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() >= 6);
                admin.publish(Publish.toUser("resume-ann").notification("order_completed", null).build());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() >= 7);
            Thread.sleep(300); // bounded: a duplicate would arrive right behind
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(log.events).contains("resumed NOTIFICATIONS 3");
            assertThat(log.count("connected")).isEqualTo(2);
            assertThat(client.lastSeq()).isEqualTo(7);
        }
    }
}
