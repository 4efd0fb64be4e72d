package dev.herald.server.transport;

/**
 * The per-connection rate limit every transport applies to what a client sends: a token
 * bucket ({@code ratePerSecond} sustained, bursts up to {@code burst}), plus what to do with a
 * client over it. A refused frame is dropped; the client is told at most once a second; a
 * client still flooding after {@value #MAX_REFUSED_PER_WINDOW} refusals within ten seconds is
 * to be closed ({@code 4029}).
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
public final class FloodGuard {
    /** What to do with one client frame or event. */
    public enum Verdict {
        /** Under the rate: handle it. */
        ADMIT,
        /** Over the rate: drop it and tell the client (rate_limited). */
        REFUSE_AND_TELL,
        /** Over the rate: drop it silently (the client was told less than a second ago). */
        REFUSE,
        /** Still flooding: close the connection. */
        CLOSE
    }

    /** The {@code reason} of {@code herald_edge_refused_total} under which transports count what the guard refused. */
    public static final String REFUSED_REASON = "client_rate";
    static final int MAX_REFUSED_PER_WINDOW = 100;
    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long TELL_INTERVAL_NANOS = 1_000_000_000L;
    /** The longest pause credited: a chat send is held for at most 10 s (ChatConnection.MAX_HOLD). */
    static final int MAX_CREDIT_SECONDS = 30;

    private final int ratePerSecond;
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;
    private int refusedInWindow;
    /** Frames the client may send beyond the bucket until {@link #creditUntil}: see {@link #resumedAfter}. */
    private double credit;
    private long creditUntil;
    private long windowStart;
    private long lastTold;

    public FloodGuard(int ratePerSecond, int burst) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("ratePerSecond and burst must be positive");
        }
        this.ratePerSecond = ratePerSecond;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
        this.windowStart = last;
        this.lastTold = last - TELL_INTERVAL_NANOS - 1;
    }

    public int ratePerSecond() {
        return ratePerSecond;
    }

    /**
     * The server did not read this client for {@code pausedNanos} (backpressure, e.g. a chat send
     * waiting for the store): what the client sent at the allowed rate meanwhile arrives at once
     * when reading resumes. That many frames (at most {@value #MAX_CREDIT_SECONDS} s worth) are
     * admitted beyond the bucket within the next second, so the server's own pause is not taken
     * for a flood; unused, the allowance lapses. Pauses in quick succession add up (to the same
     * cap): a backlog that a second, short pause interrupted is still in TCP when it ends.
     */
    public void resumedAfter(long pausedNanos) {
        long now = System.nanoTime();
        double unused = now - creditUntil < 0 ? credit : 0;
        credit = Math.min(MAX_CREDIT_SECONDS * ratePerSecond, unused + Math.max(0, pausedNanos) * ratePerNano);
        creditUntil = now + TELL_INTERVAL_NANOS;
    }

    /** Judges one more frame from the client. */
    public Verdict admit() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ADMIT;
        }
        if (credit >= 1 && now - creditUntil < 0) {
            credit -= 1;
            return Verdict.ADMIT;
        }
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            refusedInWindow = 0;
        }
        if (++refusedInWindow > MAX_REFUSED_PER_WINDOW) {
            return Verdict.CLOSE;
        }
        if (now - lastTold > TELL_INTERVAL_NANOS) {
            lastTold = now;
            return Verdict.REFUSE_AND_TELL;
        }
        return Verdict.REFUSE;
    }
}
