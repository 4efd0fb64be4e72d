package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HeraldAdmin against a real node: every publish target, idempotency, typed refusals, presence, disconnect. */
class HeraldAdminEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    private static HeraldClient connected(String user, List<Notification> sink) throws Exception {
        HeraldClient c = HeraldClient.builder().url(herald.node().url()).token(Tokens.user(user, Duration.ofHours(1))).build();
        c.addNotificationListener(sink::add);
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void publishesReachOneUserManyUsersAndEveryone() throws Exception {
        List<Notification> a = new CopyOnWriteArrayList<>();
        List<Notification> b = new CopyOnWriteArrayList<>();
        try (HeraldClient ca = connected("a-ann", a); HeraldClient cb = connected("a-ben", b)) {
            PublishResult one = herald.admin().publish(Publish.toUser("a-ann").notification("order_created", Map.of("order_id", 1)).build());
            assertThat(one.count()).isEqualTo(1);
            assertThat(one.replayed()).isFalse();
            PublishResult many = herald.admin().publish(Publish.toUsers(List.of("a-ann", "a-ben")).notification("general_announcement", null).build());
            assertThat(many.ids()).hasSize(2);
            PublishResult everyone = herald.admin().publish(Publish.toEveryone().notification("maintenance", Map.of("at", "02:00")).build());
            assertThat(everyone.count()).isGreaterThanOrEqualTo(2);
            List<PublishResult> batch = herald.admin().publishBatch(List.of(
                    Publish.toUser("a-ann").notification("batch_one", null).build(),
                    Publish.toUser("a-ben").notification("batch_two", null).build()));
            assertThat(batch).extracting(PublishResult::count).containsExactly(1, 1);

            await().atMost(Duration.ofSeconds(5)).until(() -> a.size() == 4 && b.size() == 3);
            assertThat(a).extracting(Notification::type).containsExactly("order_created", "general_announcement", "maintenance", "batch_one");
            assertThat(b).extracting(Notification::type).containsExactly("general_announcement", "maintenance", "batch_two");
            assertThat(a.get(0).id()).isEqualTo(one.ids().get(0));
            assertThat(ca.lastSeq()).isEqualTo(4);
            assertThat(cb.lastSeq()).isEqualTo(3);
        }
    }

    @Test
    void aRepeatedKeyStoresOnceAndAnotherBodyWithItIsAConflict() {
        Publish p = Publish.toUser("a-cid").notification("payment_status_changed", Map.of("status", "paid")).idempotencyKey("order-7-paid").build();
        PublishResult first = herald.admin().publish(p);
        PublishResult again = herald.admin().publish(p);
        assertThat(again.replayed()).isTrue();
        assertThat(again.ids()).isEqualTo(first.ids());

        HeraldException conflict = catchThrowableOfType(HeraldException.class, () -> herald.admin().publish(
                Publish.toUser("a-cid").notification("payment_status_changed", Map.of("status", "refunded")).idempotencyKey("order-7-paid").build()));
        assertThat(conflict.kind()).isEqualTo(HeraldException.Kind.CONFLICT);
        assertThat(conflict.status()).isEqualTo(409);
    }

    @Test
    void refusalsAreTypedErrors() {
        HeraldException invalid = catchThrowableOfType(HeraldException.class,
                () -> herald.admin().publish(Publish.toUser("a-dan").notification("connected", null).build()));
        assertThat(invalid.kind()).isEqualTo(HeraldException.Kind.VALIDATION);
        assertThat(invalid.field()).isEqualTo("notification.type");

        try (HeraldAdmin wrongKey = HeraldAdmin.builder().url(herald.node().url()).apiKey("not-the-key-0123456789").build()) {
            HeraldException unauthorized = catchThrowableOfType(HeraldException.class,
                    () -> wrongKey.publish(Publish.toUser("a-dan").notification("x", null).build()));
            assertThat(unauthorized.kind()).isEqualTo(HeraldException.Kind.UNAUTHORIZED);
            assertThat(unauthorized.status()).isEqualTo(401);
        }
        // A user's token is not an API key.
        try (HeraldAdmin userToken = HeraldAdmin.builder().url(herald.node().url()).apiKey(Tokens.user("a-dan", Duration.ofHours(1))).build()) {
            assertThat(catchThrowableOfType(HeraldException.class, () -> userToken.presence(List.of("a-dan"))).kind())
                    .isEqualTo(HeraldException.Kind.UNAUTHORIZED);
        }
        try (HeraldAdmin nobody = HeraldAdmin.builder().url("http://127.0.0.1:1").apiKey("k-0123456789abcdef")
                .maxAttempts(2).backoff(attempt -> Duration.ofMillis(10)).build()) {
            assertThat(catchThrowableOfType(HeraldException.class, () -> nobody.presence(List.of("x"))).kind())
                    .isEqualTo(HeraldException.Kind.TRANSPORT);
        }
    }

    @Test
    void presenceAndDisconnectingAUser() throws Exception {
        List<Notification> sink = new CopyOnWriteArrayList<>();
        try (HeraldClient client = connected("a-eve", sink)) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            await().atMost(Duration.ofSeconds(5)).until(() -> herald.admin().presence(List.of("a-eve")).get(0).online());
            assertThat(herald.admin().presence(List.of("a-eve", "a-never")))
                    .extracting(Presence::userId, Presence::online).containsExactly(
                            org.assertj.core.groups.Tuple.tuple("a-eve", true), org.assertj.core.groups.Tuple.tuple("a-never", false));

            assertThat(herald.admin().disconnectUser("a-eve")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.disconnects.isEmpty());
            DisconnectReason reason = log.disconnects.get(0);
            assertThat(reason.closeCode()).isEqualTo(4009);
            assertThat(reason.reconnecting()).isFalse();
            assertThat(reason.error().kind()).isEqualTo(HeraldException.Kind.DISCONNECTED);
            Thread.sleep(1500); // bounded: long enough for a (wrong) reconnect attempt to show
            assertThat(log.count("reconnecting")).isZero();
            assertThat(log.count("connected")).isZero();
        }
    }

    @Test
    void conversationsAreCreatedBetweenUsers() {
        Conversation c = herald.admin().createConversation("group", List.of("a-fay", "a-gus"), "Kitchen");
        assertThat(c.id()).isPositive();
        assertThat(c.kind()).isEqualTo("group");
        assertThat(c.title()).isEqualTo("Kitchen");
        assertThat(c.members()).containsExactlyInAnyOrder("a-fay", "a-gus");
        HeraldException bad = catchThrowableOfType(HeraldException.class, () -> herald.admin().createConversation("direct", List.of("a-fay"), null));
        assertThat(bad.kind()).isEqualTo(HeraldException.Kind.VALIDATION);
        assertThat(bad.field()).isEqualTo("members");
    }
}
