package dev.herald.server.push;

import java.time.Instant;

/**
 * One push to one device and what came of it: a line of the device's history.
 *
 * @param deviceId       the device
 * @param at             when the provider answered (or the send failed)
 * @param notificationId what was pushed
 * @param outcome        {@code sent}, {@code retry} (tried again later), {@code gone} (device removed),
 *                       {@code failed} (refused for good), {@code dropped} (retries exhausted or expired)
 * @param status         the provider's HTTP status, 0 for none
 * @param reason         the provider's reason or the failure, never a credential
 * @param attempt        1 for the first try
 */
public record PushAttempt(String deviceId, Instant at, String notificationId, String outcome, int status, String reason,
                          int attempt) {
    /** Longest reason kept. */
    public static final int MAX_REASON = 300;

    public PushAttempt {
        reason = reason == null ? "" : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    }
}
