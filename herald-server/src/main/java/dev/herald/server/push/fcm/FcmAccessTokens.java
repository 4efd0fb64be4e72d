package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth 2.0 access tokens for FCM, by the JWT bearer grant (RFC 7523) Google's service accounts use:
 * a JWT the account signs (RS256; {@code iss} its e-mail, {@code aud} the token URL, {@code scope}
 * {@value #SCOPE}, valid one hour) is exchanged at the token URL for an access token.
 *
 * <p>The token is cached until {@link #REFRESH_MARGIN} before it expires. One request at a time:
 * callers that need a token while one is being fetched wait for that same request, and when it
 * fails they all fail with it (the sender turns that into {@code RETRY}); the next call tries again.
 *
 * <p>Thread-safe: {@link #current} and {@link #refreshing} are guarded by {@code this}, and no
 * lock is held across I/O. Never logs or puts into a message the assertion or an access token.
 */
final class FcmAccessTokens {
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);
    private static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FcmServiceAccount account;
    private final URI tokenUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    /** Guarded by {@code this}: the token in use, or null before the first and after an invalidation. */
    private AccessToken current;
    /** Guarded by {@code this}: the request in flight, or null. */
    private CompletableFuture<AccessToken> refreshing;

    FcmAccessTokens(FcmServiceAccount account, URI tokenUrl, HttpClient http, Duration timeout, Clock clock) {
        this.account = account;
        this.tokenUrl = tokenUrl;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** An access token: the cached one while it is fresh, else the one a (shared) request fetches. */
    CompletableFuture<String> token() {
        CompletableFuture<AccessToken> pending;
        boolean start = false;
        synchronized (this) {
            if (current != null && clock.instant().isBefore(current.refreshAt())) {
                return CompletableFuture.completedFuture(current.value());
            }
            if (refreshing == null) {
                refreshing = new CompletableFuture<>();
                start = true;
            }
            pending = refreshing;
        }
        if (start) {
            request().whenComplete((token, failure) -> {
                synchronized (this) {
                    if (token != null) {
                        current = token;
                    }
                    refreshing = null;
                }
                // After the fields, so that a waiter asking again finds the new token, not this request.
                if (failure != null) {
                    pending.completeExceptionally(failure);
                } else {
                    pending.complete(token);
                }
            });
        }
        return pending.thenApply(AccessToken::value);
    }

    /** Forgets this token (FCM refused it) unless a newer one has replaced it already. */
    synchronized void invalidate(String token) {
        if (current != null && current.value().equals(token)) {
            current = null;
        }
    }

    private CompletableFuture<AccessToken> request() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String form;
        try {
            form = "grant_type=" + URLEncoder.encode(GRANT_TYPE, StandardCharsets.UTF_8)
                    + "&assertion=" + URLEncoder.encode(assertion(now), StandardCharsets.UTF_8);
        } catch (JOSEException | RuntimeException e) {
            return CompletableFuture.failedFuture(new FcmTokenException("cannot sign the access token request: " + e.getClass().getSimpleName()));
        }
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> parse(response, now));
    }

    private String assertion(Instant now) throws JOSEException {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(account.privateKeyId()).build();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(account.clientEmail())
                .audience(tokenUrl.toString())
                .claim("scope", SCOPE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new RSASSASigner(account.privateKey()));
        return jwt.serialize();
    }

    private AccessToken parse(HttpResponse<String> response, Instant requestedAt) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (Exception e) {
            json = null;
        }
        if (response.statusCode() != 200) {
            String error = json == null ? "" : (json.path("error").asText("") + " " + json.path("error_description").asText("")).trim();
            throw new FcmTokenException("access token request to " + tokenUrl + ": HTTP " + response.statusCode()
                    + (error.isEmpty() ? "" : " " + FcmResponses.cut(error)));
        }
        String value = json == null ? "" : json.path("access_token").asText("");
        long expiresIn = json == null ? 0 : json.path("expires_in").asLong(0);
        if (value.isEmpty() || expiresIn <= 0) {
            throw new FcmTokenException("access token request to " + tokenUrl + ": no access_token and expires_in in the answer");
        }
        return new AccessToken(value, requestedAt.plusSeconds(expiresIn).minus(REFRESH_MARGIN));
    }

    /** A token and when to stop using it. */
    private record AccessToken(String value, Instant refreshAt) {
        @Override
        public String toString() {
            return "AccessToken[refresh at " + refreshAt + "]";
        }
    }

    /** A token request that failed; its message names the token URL and Google's error, never a credential. */
    static final class FcmTokenException extends RuntimeException {
        FcmTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
