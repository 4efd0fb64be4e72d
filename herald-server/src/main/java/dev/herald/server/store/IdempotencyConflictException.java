package dev.herald.server.store;

/** An idempotency key was reused with a different request body. Nothing was stored. */
public class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String key) {
        super("Idempotency-Key '" + key + "' was already used with a different request");
    }
}
