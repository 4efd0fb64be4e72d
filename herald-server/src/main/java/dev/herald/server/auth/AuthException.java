package dev.herald.server.auth;

/** A token was missing, malformed, badly signed or expired. The message is safe to show the client. */
public class AuthException extends Exception {
    /** Why authentication failed; clients act differently on each. */
    public enum Reason { MISSING, INVALID, EXPIRED }

    private final Reason reason;

    public AuthException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
