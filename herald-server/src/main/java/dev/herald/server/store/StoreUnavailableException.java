package dev.herald.server.store;

/** The database could not be reached or failed; the operation did not take effect. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Without a stack trace: for refusals thrown thousands of times a second under overload,
     * whose cause is the load, not the code path.
     */
    protected StoreUnavailableException(String message) {
        super(message, null, false, false);
    }
}
