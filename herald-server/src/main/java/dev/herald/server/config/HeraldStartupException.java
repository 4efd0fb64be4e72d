package dev.herald.server.config;

/** The node could not start; the message says why in words an operator can act on. */
public class HeraldStartupException extends RuntimeException {
    public HeraldStartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public HeraldStartupException(String message) {
        super(message);
    }
}
