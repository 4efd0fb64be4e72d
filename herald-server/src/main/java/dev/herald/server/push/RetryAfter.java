package dev.herald.server.push;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads a push provider's {@code Retry-After} header (RFC 9110 section 10.2.3): delta-seconds
 * ({@code 120}) or an HTTP-date ({@code Wed, 21 Oct 2015 07:28:00 GMT}). Every sender parses it
 * here, so a provider's hint means the same wait whichever platform sent it.
 *
 * <p>Limits: the wait is capped at {@link #CAP}, so a wrong or hostile value cannot park a device
 * for days; an HTTP-date is read in the IMF-fixdate form every current server sends (the
 * obsolete RFC 850 and asctime forms are treated as absent). Stateless and thread-safe.
 */
public final class RetryAfter {
    /** The longest wait a provider can ask for. */
    public static final Duration CAP = Duration.ofHours(1);

    private RetryAfter() {
    }

    /**
     * The wait the header asks for, at most {@link #CAP}; {@link Duration#ZERO} for a date already
     * past; null when the header is absent, empty or unreadable (then the caller's own backoff applies).
     */
    public static Duration parse(String headerValue, Instant now) {
        if (headerValue == null) {
            return null;
        }
        String value = headerValue.trim();
        if (value.isEmpty()) {
            return null;
        }
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // Longer than 5 digits is already past the cap; this also keeps parseLong from overflowing.
            return value.length() > 5 ? CAP : min(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return wait.isNegative() ? Duration.ZERO : min(wait);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Duration min(Duration wait) {
        return wait.compareTo(CAP) > 0 ? CAP : wait;
    }
}
