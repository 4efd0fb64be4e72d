package dev.herald.socketio;

/**
 * Thrown (or used to complete a middleware's stage) to refuse a connection. The client receives
 * CONNECT_ERROR {@code {"message": message, "data": data}} and its {@code connect_error} handler
 * sees them; {@code data} may be {@code null} (then omitted) and is converted to JSON.
 */
public final class ConnectRefusedException extends RuntimeException {
    private final transient Object data;

    /** Refuses with this message and no {@code data}. */
    public ConnectRefusedException(String message) {
        this(message, null);
    }

    /** Refuses with this message and {@code data} (converted to JSON; {@code null}: omitted). */
    public ConnectRefusedException(String message, Object data) {
        super(message, null, false, false);
        this.data = data;
    }

    /** The {@code data} sent with the refusal, or {@code null}. */
    public Object data() {
        return data;
    }
}
