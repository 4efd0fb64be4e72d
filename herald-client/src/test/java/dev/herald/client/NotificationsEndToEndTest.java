package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The notification socket and the inbox against a real Herald herald.node(). */
class NotificationsEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    private static HeraldClient client(String user, HeraldClient.Builder extra) {
        return extra.url(herald.node().url()).token(Tokens.user(user, Duration.ofHours(1))).build();
    }

    @Test
    void aPublishedNotificationReachesTheListenersOnceWithItsFields() throws Exception {
        try (HeraldClient client = client("n-alice", HeraldClient.builder())) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            List<Notification> all = new CopyOnWriteArrayList<>();
            List<Notification> orders = new CopyOnWriteArrayList<>();
            List<Notification> chats = new CopyOnWriteArrayList<>();
            NotificationListener allListener = all::add;
            client.addNotificationListener(allListener);
            client.addNotificationListener(allListener); // the same listener twice is registered once
            client.addNotificationListener("order_*", orders::add);
            client.addNotificationListener("chat_*", chats::add);

            Connected connected = client.connect().get(10, TimeUnit.SECONDS);
            assertThat(connected.userId()).isEqualTo("n-alice");
            assertThat(connected.stream()).isEqualTo("user:n-alice");
            assertThat(client.connect().get(5, TimeUnit.SECONDS).connectionId()).isEqualTo(connected.connectionId());

            PublishResult published = herald.admin().publish(Publish.toUser("n-alice")
                    .notification("order_created", Map.of("order_id", 1001, "message", "Order #1001 received")).build());

            await().atMost(Duration.ofSeconds(5)).until(() -> all.size() == 1 && orders.size() == 1);
            Notification n = all.get(0);
            assertThat(n.type()).isEqualTo("order_created");
            assertThat(n.id()).isEqualTo(published.ids().get(0));
            assertThat(n.seq()).isEqualTo(1);
            assertThat(n.get("order_id").asLong()).isEqualTo(1001);
            assertThat(n.createdAt()).isNotNull();
            assertThat(chats).isEmpty();
            assertThat(client.lastSeq()).isEqualTo(1);
            assertThat(log.events).startsWith("connecting NOTIFICATIONS", "connected NOTIFICATIONS");
            assertThat(log.count("connected")).isEqualTo(1); // connect() twice: one socket
            assertThat(log.threads).allMatch(t -> t.startsWith("herald-client-") && t.endsWith("-events"));
        }
    }

    @Test
    void theTypesFilterMakesHeraldSendOnlyMatchingTypes() throws Exception {
        try (HeraldClient client = client("n-bob", HeraldClient.builder().types("order_*"))) {
            List<Notification> got = new CopyOnWriteArrayList<>();
            client.addNotificationListener(got::add);
            client.connect().get(10, TimeUnit.SECONDS);
            herald.admin().publish(Publish.toUser("n-bob").notification("general_announcement", Map.of("message", "hi")).build());
            herald.admin().publish(Publish.toUser("n-bob").notification("order_status_changed", Map.of("status", "ready")).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            assertThat(got.get(0).type()).isEqualTo("order_status_changed");
            assertThat(got.get(0).seq()).isEqualTo(2);
            // Unread counts still follow every type, as the socket reports them.
            await().atMost(Duration.ofSeconds(5)).until(() -> client.counts() != null && client.counts().unread() == 2);
        }
    }

    @Test
    void aThrowingListenerIsLoggedAndIgnoredAndListenersRunOneAtATimeOnTheEventThread() throws Exception {
        try (HeraldClient client = client("n-carol", HeraldClient.builder())) {
            AtomicInteger thrown = new AtomicInteger();
            List<Long> seqs = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            client.addNotificationListener(n -> {
                thrown.incrementAndGet();
                throw new IllegalStateException("a listener bug");
            });
            client.addNotificationListener(n -> {
                if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                threads.add(Thread.currentThread().getName());
                seqs.add(n.seq());
                inside.decrementAndGet();
            });
            client.connect().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                herald.admin().publish(Publish.toUser("n-carol").notification("ping_" + i, null).build());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 5);
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(thrown.get()).isEqualTo(5);
            assertThat(overlaps.get()).isZero();
            assertThat(threads).allMatch(t -> t.startsWith("herald-client-") && t.endsWith("-events"));
        }
    }

    @Test
    void inboxCallsChangeTheStateAndEveryDeviceHearsOfIt() throws Exception {
        try (HeraldClient phone = client("n-dave", HeraldClient.builder());
             HeraldClient laptop = client("n-dave", HeraldClient.builder())) {
            List<InboxChange> laptopChanges = new CopyOnWriteArrayList<>();
            List<InboxCounts> laptopCounts = new CopyOnWriteArrayList<>();
            laptop.addInboxListener(new InboxListener() {
                @Override
                public void onCounts(InboxCounts counts) {
                    laptopCounts.add(counts);
                }

                @Override
                public void onChange(InboxChange change) {
                    laptopChanges.add(change);
                }
            });
            laptop.connect().get(10, TimeUnit.SECONDS);
            String first = herald.admin().publish(Publish.toUser("n-dave").notification("order_created", Map.of("order_id", 1)).category("orders").build()).ids().get(0);
            herald.admin().publish(Publish.toUser("n-dave").notification("general_announcement", Map.of("m", "x")).build());

            Inbox inbox = phone.inbox();
            InboxPage page = inbox.list();
            assertThat(page.notifications()).extracting(Notification::type).containsExactly("general_announcement", "order_created");
            assertThat(page.counts()).isEqualTo(new InboxCounts(2, 2));
            assertThat(inbox.count(InboxFilter.none().category("orders"))).isEqualTo(new FilterCounts(1, 1, 1));

            InboxActionResult read = inbox.markRead(first);
            assertThat(read.changed()).isEqualTo(1);
            assertThat(read.counts().unread()).isEqualTo(1);
            assertThat(inbox.markRead(first).changed()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> laptopChanges.stream().anyMatch(c -> c.action().equals("read") && c.ids().equals(List.of(first))));
            await().atMost(Duration.ofSeconds(5)).until(() -> laptopCounts.contains(new InboxCounts(1, 1)));

            inbox.archive(first);
            assertThat(inbox.list(InboxFilter.none().archived(true), 10, null).notifications()).extracting(Notification::id).containsExactly(first);
            assertThat(inbox.counts(Map.of("unread", InboxFilter.none().read(false)))).containsEntry("unread", new FilterCounts(1, 1, 1));
            assertThat(inbox.readAll()).isEqualTo(new InboxCounts(0, 0));

            inbox.setPreferences(Map.of("types", Map.of("marketing_offer", Map.of("in_app", false))));
            assertThat(inbox.preferences().path("preferences").path("types").path("marketing_offer").path("in_app").asBoolean(true)).isFalse();
            PublishResult muted = herald.admin().publish(Publish.toUser("n-dave").notification("marketing_offer", null).build());
            assertThat(muted.muted()).containsExactly("n-dave");

            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(HeraldException.class, () -> inbox.markRead("no-such-id")).kind())
                    .isEqualTo(HeraldException.Kind.NOT_FOUND);
        }
    }

    @Test
    void aTopicClientFollowsTheTopicItsTokenGrants() throws Exception {
        try (HeraldClient staff = HeraldClient.builder().url(herald.node().url()).token(Tokens.user("n-erin", Duration.ofHours(1), "branch:7"))
                .stream("branch", "7").build()) {
            List<Notification> got = new CopyOnWriteArrayList<>();
            staff.addNotificationListener(got::add);
            assertThat(staff.connect().get(10, TimeUnit.SECONDS).stream()).isEqualTo("branch:7");
            herald.admin().publish(Publish.toTopic("branch:7").notification("order_created", Map.of("table", 5)).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            assertThat(got.get(0).get("table").asInt()).isEqualTo(5);
        }
    }
}
