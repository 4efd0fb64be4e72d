package dev.herald.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.store.InboxFilter;
import dev.herald.server.store.NotificationQuery;
import dev.herald.server.store.jdbc.JdbcStore;
import dev.herald.server.stream.StreamEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry through the service on a real (H2) store: a notification whose ttl ran out is out of the
 * feed at once, and the purge deletes it and tells the user's connections (an {@code inbox}
 * delete and the new counts); a topic's expired notification is purged without telling anyone.
 */
class NotificationExpiryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private JdbcStore store;
    private NotificationService service;
    private final List<StreamEvent> announced = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        store = JdbcStore.open(null, dir, batch -> { }, new SimpleMeterRegistry());
        InProcessBroker broker = new InProcessBroker();
        broker.start(announced::add);
        service = new NotificationService(store, broker, Runnable::run);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A publish parsed as if it had been made {@code ago}, so its ttl has run out by now when ttl < ago. */
    private String publishedAgo(String body, Duration ago) throws Exception {
        PublishCommand command = PublishCommand.parse(JSON.readTree(body), 64 * 1024, JSON, Instant.now().minus(ago));
        return service.publish(command, null, null).notifications().getFirst().id();
    }

    @Test
    void anExpiredNotificationLeavesTheFeedAtOnceAndThePurgeTellsTheUsersConnections() throws Exception {
        String gone = publishedAgo("{\"to\":{\"user\":\"u\"},\"ttl\":60,\"notification\":{\"type\":\"flash_sale\"}}",
                Duration.ofMinutes(2));
        String kept = publishedAgo("{\"to\":{\"user\":\"u\"},\"ttl\":3600,\"notification\":{\"type\":\"flash_sale\"}}",
                Duration.ofMinutes(2));
        publishedAgo("{\"to\":{\"topic\":\"branch:1\"},\"ttl\":60,\"notification\":{\"type\":\"shift\"}}", Duration.ofMinutes(2));
        assertThat(service.list("user:u", new NotificationQuery(Long.MAX_VALUE, 10, InboxFilter.ACTIVE)).notifications())
                .extracting(n -> n.id()).containsExactly(kept);

        long purged = service.purgeDue(Duration.ofDays(90));

        assertThat(purged).isEqualTo(2);
        assertThat(service.state("user:u").unread()).isEqualTo(1);
        assertThat(announced).extracting(StreamEvent::stream).containsOnly("user:u");
        JsonNode inbox = JSON.readTree(announced.get(0).json());
        assertThat(inbox.get("type").asText()).isEqualTo("inbox");
        assertThat(inbox.get("action").asText()).isEqualTo("delete");
        assertThat(inbox.get("ids")).extracting(JsonNode::asText).containsExactly(gone);
        assertThat(JSON.readTree(announced.get(1).json()).toString())
                .isEqualTo("{\"type\":\"unread_count\",\"count\":1,\"unseen_count\":1}");
        assertThat(service.purgeDue(Duration.ofDays(90))).as("nothing twice").isZero();
    }

    @Test
    void thePurgeRunsOnItsOwnThreadAndCountsWhatItDeleted() throws Exception {
        publishedAgo("{\"to\":{\"user\":\"v\"},\"ttl\":1,\"notification\":{\"type\":\"t\"}}", Duration.ofSeconds(5));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ExpiryPurge purge = new ExpiryPurge(service, Duration.ofDays(90), registry, Duration.ZERO)) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get("herald.notifications.purged").counter().count() == 1);
        }
        assertThat(service.state("user:v").unread()).isZero();
    }
}
