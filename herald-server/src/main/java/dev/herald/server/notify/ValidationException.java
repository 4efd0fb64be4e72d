package dev.herald.server.notify;

/** A request was malformed; the message names the field and says what is wrong. */
public class ValidationException extends RuntimeException {
    private final String field;
    private final String reason;

    public ValidationException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    /** What is wrong, without the field name. */
    public String reason() {
        return reason;
    }

    /** The same problem, reported under {@code prefix} (e.g. {@code publishes[3].to.user}). */
    public ValidationException within(String prefix) {
        return new ValidationException(prefix + "." + field, reason);
    }
}
