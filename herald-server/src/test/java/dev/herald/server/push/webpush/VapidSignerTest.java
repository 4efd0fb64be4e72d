package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VapidSignerTest {
    private static final VapidKeys KEYS = VapidKeys.generate(new SecureRandom());
    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00.250Z");
    private static final URI ENDPOINT = URI.create("https://push.example.net:8443/wpush/v2/abc?x=1");

    private final MutableClock clock = new MutableClock(NOW);
    private final VapidSigner signer = new VapidSigner(KEYS, "mailto:ops@herald.test", clock);

    @Test
    void theTokenIsAnEs256JwtForThePushServicesOriginVerifiableWithThePublicKey() throws Exception {
        String header = signer.authorization(ENDPOINT);

        assertThat(header).startsWith("vapid t=").endsWith(", k=" + KEYS.publicKeyBase64Url());
        SignedJWT jwt = SignedJWT.parse(header.substring("vapid t=".length(), header.indexOf(", k=")));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(jwt.verify(new ECDSAVerifier(PushServicePeer.publicKey(Base64Url.decode(KEYS.publicKeyBase64Url())))))
                .isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly("https://push.example.net:8443");
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(Instant.parse("2026-12-07T20:00:00Z"));
        assertThat(claims.getSubject()).isEqualTo("mailto:ops@herald.test");
        assertThat(jwt.getPayload().toJSONObject()).as("aud is a string, as push services expect")
                .containsEntry("aud", "https://push.example.net:8443");
    }

    @Test
    void aTokenIsReusedPerAudienceUntilAnHourBeforeItExpires() {
        String first = signer.authorization(ENDPOINT);
        clock.now = NOW.plus(Duration.ofHours(10).plusMinutes(59));
        assertThat(signer.authorization(URI.create("https://push.example.net:8443/other"))).isEqualTo(first);

        clock.now = NOW.plus(Duration.ofHours(11));
        assertThat(signer.authorization(ENDPOINT)).isNotEqualTo(first);
        assertThat(signer.authorization(URI.create("https://other.example.net/x"))).doesNotContain(first);
    }

    @Test
    void theCacheKeepsAtMostAThousandAudiences() {
        for (int i = 0; i < VapidSigner.MAX_AUDIENCES + 50; i++) {
            signer.authorization(URI.create("https://push" + i + ".example.net/s"));
        }

        assertThat(signer.cachedAudiences()).isEqualTo(VapidSigner.MAX_AUDIENCES);
    }

    @Test
    void theOriginDropsPathQueryAndDefaultPorts() {
        assertThat(VapidSigner.origin(URI.create("https://FCM.googleapis.com/fcm/send/x"))).isEqualTo("https://fcm.googleapis.com");
        assertThat(VapidSigner.origin(URI.create("https://push.example:443/a"))).isEqualTo("https://push.example");
        assertThat(VapidSigner.origin(URI.create("http://127.0.0.1:8090/notify/h"))).isEqualTo("http://127.0.0.1:8090");
        assertThat(VapidSigner.origin(URI.create("http://[::1]:80/n"))).isEqualTo("http://[::1]");
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
