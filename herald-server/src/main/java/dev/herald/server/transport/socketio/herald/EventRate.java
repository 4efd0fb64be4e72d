package dev.herald.server.transport.socketio.herald;

/**
 * A token bucket for one socket's client events, as the plain WebSocket endpoints limit frames:
 * {@code ratePerSecond} sustained, bursts up to {@code burst}. Not thread-safe: owned by the
 * socket's event loop.
 */
final class EventRate {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    EventRate(double ratePerSecond, int burst) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("ratePerSecond and burst must be positive");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes one token; false when the socket is over its rate. */
    boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
