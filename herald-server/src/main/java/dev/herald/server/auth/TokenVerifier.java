package dev.herald.server.auth;

/**
 * Verifies end-user JWTs. Thread-safe. May block briefly on the first use of a JWKS URL
 * (keys are fetched and cached), so call it off the event loop.
 */
public interface TokenVerifier {
    /** The principal of a valid, unexpired token; otherwise an {@link AuthException} saying why. */
    Principal verify(String token) throws AuthException;
}
