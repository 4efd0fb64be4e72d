package dev.herald.socketio;

/**
 * Thrown (or used to complete a middleware's stage) to refuse a connection. The client receives
 * CONNECT_ERROR {@code {"message": message, "data": data}} and its {@code connect_error} handler
 * sees them; {@code data} may be {@code null} (then omitted) and is converted to JSON.
 */
public final class ConnectRefusedException extends RuntimeException {
    private final transient Object data;

    public ConnectRefusedException(String message) {
        this(message, null);
    }

    public ConnectRefusedException(String message, Object data) {
        super(message, null, false, false);
        this.data = data;
    }

    public Object data() {
        return data;
    }
}
