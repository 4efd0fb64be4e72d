package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
    private static final String SECRET = JwtVerifierTest.SECRET;

    @Test
    void issuedTokenRoundTripsThroughTheVerifier() throws Exception {
        Instant now = Instant.parse("2026-03-01T10:00:00.750Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        String token = new TokenIssuer(SECRET, clock).issue("42", "John Doe", List.of("branch:7", "branch:8"), Duration.ofHours(1));

        Principal p = new JwtVerifier(SECRET, null, null, clock).verify(token);

        assertThat(p.userId()).isEqualTo("42");
        assertThat(p.name()).isEqualTo("John Doe");
        assertThat(p.topics()).containsExactlyInAnyOrder("branch:7", "branch:8");
        assertThat(p.expiresAt()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
    }

    @Test
    void issuedTokenExpiresAfterItsTtl() throws Exception {
        Instant issued = Instant.parse("2026-03-01T10:00:00Z");
        String token = new TokenIssuer(SECRET, Clock.fixed(issued, ZoneOffset.UTC)).issue("42", null, List.of(), Duration.ofMinutes(1));
        JwtVerifier later = new JwtVerifier(SECRET, null, null, Clock.fixed(issued.plusSeconds(120), ZoneOffset.UTC));

        assertThatThrownBy(() -> later.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(AuthException.Reason.EXPIRED));
    }

    @Test
    void shortSecretsBlankUsersAndNonPositiveTtlsAreRefused() {
        assertThatThrownBy(() -> new TokenIssuer("short")).hasMessageContaining("at least 32 bytes");
        TokenIssuer issuer = new TokenIssuer(SECRET);
        assertThatThrownBy(() -> issuer.issue(" ", null, List.of(), Duration.ofMinutes(1))).hasMessageContaining("userId");
        assertThatThrownBy(() -> issuer.issue("1", null, List.of(), Duration.ZERO)).hasMessageContaining("ttl");
    }
}
