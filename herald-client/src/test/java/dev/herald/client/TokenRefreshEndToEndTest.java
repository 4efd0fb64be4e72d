package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Short-lived tokens are replaced over the open sockets before Herald would close them with 4001. */
class TokenRefreshEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    @Test
    void theConnectionOutlivesItsFirstTokenBecauseTheClientRefreshesItOverTheSocket() throws Exception {
        List<Instant> issued = new CopyOnWriteArrayList<>();
        TokenProvider provider = () -> {
            issued.add(Instant.now());
            return Tokens.user("t-ann", Duration.ofSeconds(6));
        };
        List<Notification> got = new CopyOnWriteArrayList<>();
        EventLog log = new EventLog();
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).tokenProvider(provider)
                .tokenRefreshMargin(Duration.ofSeconds(3)).build()) {
            client.addConnectionListener(log);
            client.addNotificationListener(got::add);
            client.connect().get(10, TimeUnit.SECONDS);
            client.chat().connect().get(10, TimeUnit.SECONDS);
            Instant firstExpiry = issued.get(0).plusSeconds(6);

            await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(firstExpiry.plusSeconds(2))
                    && log.count("token_refreshed NOTIFICATIONS") >= 2);
            assertThat(log.count("token_refreshed CHAT")).isGreaterThanOrEqualTo(1);
            assertThat(log.disconnects).as("no 4001: the refreshed token kept the sockets open").isEmpty();
            assertThat(log.count("connected NOTIFICATIONS")).isEqualTo(1);
            assertThat(issued.size()).isGreaterThanOrEqualTo(3);

            try (HeraldAdmin admin = herald.node().admin()) {
                admin.publish(Publish.toUser("t-ann").notification("order_created", Map.of("order_id", 5)).build());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
        }
    }

    @Test
    void afterA4001TheClientReconnectsAtOnceWithAFreshTokenAndResumes() throws Exception {
        // The client's clock runs 60 s late, so it plans no refresh in time and Herald closes the
        // socket with 4001 when the first (2 s) token expires; the provider's next token lives an hour.
        List<String> handedOut = new CopyOnWriteArrayList<>();
        TokenProvider provider = () -> {
            String t = Tokens.user("t-ben", handedOut.isEmpty() ? Duration.ofSeconds(2) : Duration.ofHours(1));
            handedOut.add(t);
            return t;
        };
        List<Long> seqs = new CopyOnWriteArrayList<>();
        EventLog log = new EventLog();
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).tokenProvider(provider)
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60))).build();
             HeraldAdmin admin = herald.node().admin()) {
            client.addConnectionListener(log);
            client.addNotificationListener(n -> seqs.add(n.seq()));
            client.connect().get(10, TimeUnit.SECONDS);
            admin.publish(Publish.toUser("t-ben").notification("a", null).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.count("connected NOTIFICATIONS") == 2);
            admin.publish(Publish.toUser("t-ben").notification("b", null).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 2);
            assertThat(seqs).containsExactly(1L, 2L);
            assertThat(handedOut).hasSize(2);
            assertThat(log.disconnects).singleElement().satisfies(d -> {
                assertThat(d.closeCode()).isEqualTo(4001);
                assertThat(d.reconnecting()).isTrue();
            });
            assertThat(log.events).contains("resumed NOTIFICATIONS 1");
        }
    }
}
