package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The user's token: a fixed one, or the provider's, cached until it is about to expire.
 * Thread-safe: the provider is called under this object's lock, so never twice at once. Token
 * text never goes into a message, a log or an exception.
 */
final class TokenSource {
    private final String fixed;
    private final TokenProvider provider;
    private final Duration margin;
    private final Clock clock;
    private String token; // guarded by this

    TokenSource(String fixed, TokenProvider provider, Duration margin, Clock clock) {
        this.fixed = fixed;
        this.provider = provider;
        this.margin = margin;
        this.clock = clock;
    }

    /** The token to use now: the cached one unless it expires within the margin. */
    synchronized String current() {
        if (fixed != null) {
            return fixed;
        }
        if (token == null) {
            token = ask();
        } else {
            Instant exp = expiryOf(token);
            if (exp != null && !clock.instant().plus(margin).isBefore(exp)) {
                token = ask();
            }
        }
        return token;
    }

    /** A new token from the provider (the fixed token when there is no provider). */
    synchronized String fresh() {
        if (fixed != null) {
            return fixed;
        }
        token = ask();
        return token;
    }

    /** Forgets the cached token, so the next {@link #current()} asks the provider. */
    synchronized void invalidate() {
        token = null;
    }

    boolean refreshable() {
        return provider != null;
    }

    /** The {@code exp} of the token in use, or null (none yet, none in it, or unreadable). */
    synchronized Instant expiry() {
        String t = fixed != null ? fixed : token;
        return t == null ? null : expiryOf(t);
    }

    Duration margin() {
        return margin;
    }

    private String ask() {
        String t;
        try {
            t = provider.token();
        } catch (Exception e) {
            throw new HeraldException(HeraldException.Kind.TOKEN_PROVIDER, 0, null, null, null,
                    "the token provider failed: " + e, e);
        }
        if (t == null || t.trim().isEmpty()) {
            throw HeraldException.of(HeraldException.Kind.TOKEN_PROVIDER, "the token provider returned no token");
        }
        return t.trim();
    }

    /** The {@code exp} claim of a JWT, read without verifying it (Herald verifies); null when absent or unreadable. */
    static Instant expiryOf(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(parts[1]);
            JsonNode exp = Json.MAPPER.readTree(new String(json, StandardCharsets.UTF_8)).path("exp");
            return exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        } catch (Exception unreadable) {
            return null;
        }
    }
}
