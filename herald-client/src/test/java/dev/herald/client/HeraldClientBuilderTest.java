package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeraldClientBuilderTest {

    @Test
    void aBadUrlFailsAtBuildTimeNamingTheArgument() {
        assertThatThrownBy(() -> HeraldClient.builder().url("not a url"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url:");
        assertThatThrownBy(() -> HeraldClient.builder().url("ftp://herald.example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url:");
        assertThatThrownBy(() -> HeraldClient.builder().url("http://h/?q=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url:");
        assertThatThrownBy(() -> HeraldClient.builder().token("t").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("url: required");
    }

    @Test
    void negativeOrZeroTimeoutsFailNamingTheArgument() {
        assertThatThrownBy(() -> HeraldClient.builder().connectTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectTimeout:");
        assertThatThrownBy(() -> HeraldClient.builder().ackTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ackTimeout:");
        assertThatThrownBy(() -> HeraldClient.builder().pingInterval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pingInterval:");
        assertThatThrownBy(() -> HeraldClient.builder().reconnectAttempts(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnectAttempts:");
        assertThatThrownBy(() -> HeraldClient.builder().since(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("since:");
        assertThatThrownBy(() -> HeraldAdmin.builder().callTimeout(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("callTimeout:");
    }

    @Test
    void exactlyOneOfTokenAndTokenProviderIsRequired() {
        assertThatThrownBy(() -> HeraldClient.builder().url("http://127.0.0.1:1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("token:");
        assertThatThrownBy(() -> HeraldClient.builder().url("http://127.0.0.1:1").token("a").tokenProvider(() -> "b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("token:");
        assertThatThrownBy(() -> HeraldClient.builder().token("  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("token:");
    }

    @Test
    void typePatternsAreCheckedAsHeraldChecksThem() {
        assertThatThrownBy(() -> HeraldClient.builder().types("order_*", "a*b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("types:").hasMessageContaining("a*b");
        assertThat(TypePatterns.matches("order_*", "order_created")).isTrue();
        assertThat(TypePatterns.matches("order_*", "general_announcement")).isFalse();
        assertThat(TypePatterns.matches("order_created", "order_created_late")).isFalse();
    }

    @Test
    void wsUrlsAndABasePathAreAccepted() {
        try (HeraldClient c = HeraldClient.builder().url("wss://herald.example.com/herald").token("t").build()) {
            assertThat(c.lastSeq()).isEqualTo(-1);
        }
        assertThat(Urls.base("url", "ws://127.0.0.1:8080").newBuilder().addPathSegments("ws/chat").build().toString())
                .isEqualTo("http://127.0.0.1:8080/ws/chat");
        assertThat(Urls.base("url", "https://h.example/herald").newBuilder().addPathSegments("api/v1/presence").build().toString())
                .isEqualTo("https://h.example/herald/api/v1/presence");
    }

    @Test
    void adminAndPublishBuildersRefuseWhatHeraldWouldRefuse() {
        assertThatThrownBy(() -> HeraldAdmin.builder().url("http://127.0.0.1:1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("apiKey: required");
        assertThatThrownBy(() -> HeraldAdmin.builder().maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxAttempts:");
        assertThatThrownBy(() -> Publish.toUser("42").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("notification: required");
        assertThatThrownBy(() -> Publish.toTopic("user:42"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("topic:");
        assertThatThrownBy(() -> Publish.toUser("42").notification(Map.of("order_id", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("notification:");
        Publish p = Publish.toUser("42").notification("order_created", Map.of("order_id", 1001)).category("orders").build();
        assertThat(p.body().toString()).isEqualTo(
                "{\"to\":{\"user\":\"42\"},\"notification\":{\"type\":\"order_created\",\"order_id\":1001},\"category\":\"orders\"}");
    }

    @Test
    void theTokenExpiryIsReadFromTheJwtWithoutLeakingIt() {
        String token = Tokens.sign("secret-secret-secret-secret-secret-1", "42", java.time.Instant.ofEpochSecond(2_000_000_000L));
        assertThat(TokenSource.expiryOf(token)).isEqualTo(java.time.Instant.ofEpochSecond(2_000_000_000L));
        assertThat(TokenSource.expiryOf("not.a-jwt")).isNull();
        TokenSource failing = new TokenSource(null, () -> {
            throw new IllegalStateException("backend down");
        }, Duration.ofSeconds(30), java.time.Clock.systemUTC());
        assertThatThrownBy(failing::current).isInstanceOfSatisfying(HeraldException.class,
                e -> assertThat(e.kind()).isEqualTo(HeraldException.Kind.TOKEN_PROVIDER));
    }
}
