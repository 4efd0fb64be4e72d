package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Herald's refusals (401, 403) surface as typed errors, and the client stops only where retrying cannot help. */
class RefusalsEndToEndTest {
    @RegisterExtension
    static final NodeExtension herald = new NodeExtension();

    private static HeraldException failure(CompletableFuture<?> f) {
        ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e).as("the future failed").isNotNull();
        assertThat(e.getCause()).isInstanceOf(HeraldException.class);
        return (HeraldException) e.getCause();
    }

    @Test
    void aForgedFixedTokenIsUnauthorizedAndTheClientStops() throws Exception {
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).token(Tokens.forged("r-ann")).build()) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            HeraldException e = failure(client.connect());
            assertThat(e.kind()).isEqualTo(HeraldException.Kind.UNAUTHORIZED);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).contains("bad signature");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.disconnects.size() == 1);
            assertThat(log.disconnects.get(0).reconnecting()).isFalse();
            assertThat(log.count("reconnecting")).isZero();

            HeraldException inbox = catchThrowableOfType(HeraldException.class, () -> client.inbox().unreadCount());
            assertThat(inbox.kind()).isEqualTo(HeraldException.Kind.UNAUTHORIZED);
        }
    }

    @Test
    void aTopicTheTokenDoesNotGrantIsForbidden() {
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).token(Tokens.user("r-ben", Duration.ofHours(1), "branch:1"))
                .stream("branch", "2").build()) {
            HeraldException e = failure(client.connect());
            assertThat(e.kind()).isEqualTo(HeraldException.Kind.FORBIDDEN);
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.getMessage()).contains("branch:2");
        }
    }

    @Test
    void aProviderWhoseTokenIsRefusedIsAskedAgainAndTheClientGetsIn() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        TokenProvider provider = () -> asked.incrementAndGet() == 1 ? Tokens.forged("r-cid") : Tokens.user("r-cid", Duration.ofHours(1));
        try (HeraldClient client = HeraldClient.builder().url(herald.node().url()).tokenProvider(provider).build()) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            assertThat(client.connect().get(10, TimeUnit.SECONDS).userId()).isEqualTo("r-cid");
            assertThat(asked.get()).isEqualTo(2);
            assertThat(log.count("reconnecting")).isEqualTo(1); // at once after the 401, with the fresh token
        }
    }

    @Test
    void aServerThatIsNotThereIsRetriedAndThenGivenUp() {
        try (HeraldClient client = HeraldClient.builder().url("http://127.0.0.1:1").token(Tokens.user("r-dan", Duration.ofHours(1)))
                .reconnectAttempts(2).backoff(attempt -> Duration.ofMillis(20)).build()) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            HeraldException e = failure(client.connect());
            assertThat(e.kind()).isEqualTo(HeraldException.Kind.TRANSPORT);
            assertThat(e.getMessage()).contains("gave up after 2");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("disconnected") == 1);
            assertThat(log.count("reconnecting")).isEqualTo(2);
        }
    }
}
