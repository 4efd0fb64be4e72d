package dev.herald.server.auth;

import static dev.herald.server.auth.JwtVerifierTest.assertInvalid;
import static dev.herald.server.auth.JwtVerifierTest.ecKeys;
import static dev.herald.server.auth.JwtVerifierTest.rsaKeys;
import static dev.herald.server.auth.JwtVerifierTest.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtVerifierJwksTest {
    private HttpServer server;
    private final AtomicReference<String> served = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger fetches = new AtomicInteger();
    private URI jwksUrl;

    @BeforeEach
    void serveJwks() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        jwksUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void rotatedKeyWithUnknownKidTriggersOneRefetch() throws Exception {
        KeyPair first = rsaKeys(11);
        KeyPair second = ecKeys(12);
        publish(new RSAKey.Builder((RSAPublicKey) first.getPublic()).keyID("k1").keyUse(KeyUse.SIGNATURE).build());
        JwtVerifier verifier = new JwtVerifier(null, null, jwksUrl, Clock.systemUTC());

        String t1 = sign(new RSASSASigner(first.getPrivate()), JWSAlgorithm.RS256, "k1", claims("alice"));
        assertThat(verifier.verify(t1).userId()).isEqualTo("alice");
        assertThat(verifier.verify(t1).userId()).isEqualTo("alice");
        assertThat(fetches).as("keys are cached after the first fetch").hasValue(1);

        publish(new ECKey.Builder(Curve.P_256, (ECPublicKey) second.getPublic()).keyID("k2").keyUse(KeyUse.SIGNATURE).build());
        String t2 = sign(new ECDSASigner((ECPrivateKey) second.getPrivate()), JWSAlgorithm.ES256, "k2", claims("bob"));

        assertThat(verifier.verify(t2).userId()).isEqualTo("bob");
        assertThat(fetches).as("the unknown kid caused exactly one refetch").hasValue(2);
    }

    @Test
    void jwksTokenWithForeignSignatureIsRefused() throws Exception {
        KeyPair published = rsaKeys(13);
        publish(new RSAKey.Builder((RSAPublicKey) published.getPublic()).keyID("k1").build());
        JwtVerifier verifier = new JwtVerifier(null, null, jwksUrl, Clock.systemUTC());

        String forged = sign(new RSASSASigner(rsaKeys(14).getPrivate()), JWSAlgorithm.RS256, "k1", claims("mallory"));

        assertInvalid(verifier, forged, "bad signature");
    }

    @Test
    void secretAndJwksTogetherAcceptEachByItsAlg() throws Exception {
        KeyPair rsa = rsaKeys(15);
        publish(new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("k1").build());
        JwtVerifier verifier = new JwtVerifier(JwtVerifierTest.SECRET, null, jwksUrl, Clock.systemUTC());

        String hs = sign(new MACSigner(JwtVerifierTest.SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims("hs"));
        String rs = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, "k1", claims("rs"));

        assertThat(verifier.verify(hs).userId()).isEqualTo("hs");
        assertThat(verifier.verify(rs).userId()).isEqualTo("rs");
    }

    @Test
    void unreachableJwksIsRefusedQuicklyAsUnavailableKeys() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        JwtVerifier verifier = new JwtVerifier(null, null,
                URI.create("http://127.0.0.1:" + closedPort + "/jwks.json"), Clock.systemUTC());
        String token = sign(new RSASSASigner(rsaKeys(16).getPrivate()), JWSAlgorithm.RS256, "k1", claims("x"));

        long started = System.nanoTime();
        assertInvalid(verifier, token, "signing keys unavailable");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(JwtVerifier.JWKS_TIMEOUT.toMillis() * 3);
    }

    private void publish(JWK key) {
        served.set(new JWKSet(List.of(key)).toString());
    }

    private static JWTClaimsSet claims(String sub) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(now.plusSeconds(300))).build();
    }
}
