package dev.herald.server.store;

/** The database could not be reached or failed; the operation did not take effect. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
