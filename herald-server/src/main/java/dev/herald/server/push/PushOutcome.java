package dev.herald.server.push;

import java.time.Duration;
import java.util.Objects;

/**
 * What a provider answered to one push.
 *
 * @param result     what the dispatcher does next
 * @param status     the provider's HTTP status (0 when none came: a connection failure or timeout)
 * @param reason     the provider's reason (APNs {@code reason}, FCM {@code errorCode}, or a short
 *                   description of the failure); never a token, endpoint or credential
 * @param retryAfter the provider's {@code Retry-After}, or null when it gave none
 */
public record PushOutcome(Result result, int status, String reason, Duration retryAfter) {
    public PushOutcome {
        Objects.requireNonNull(result, "result");
        reason = reason == null ? "" : reason;
    }

    public enum Result {
        /** The provider accepted it. */
        SENT,
        /** Try again later (429, 5xx, a timeout, a connection failure): honour {@code retryAfter}. */
        RETRY,
        /** The device is gone for good (404/410, APNs {@code Unregistered}/{@code BadDeviceToken}, FCM {@code UNREGISTERED}): remove it. */
        GONE,
        /** Refused for a reason retrying will not fix (a malformed payload, a bad key): record it, keep the device. */
        FAILED
    }

    public static PushOutcome sent(int status) {
        return new PushOutcome(Result.SENT, status, "", null);
    }

    public static PushOutcome retry(int status, String reason, Duration retryAfter) {
        return new PushOutcome(Result.RETRY, status, reason, retryAfter);
    }

    public static PushOutcome gone(int status, String reason) {
        return new PushOutcome(Result.GONE, status, reason, null);
    }

    public static PushOutcome failed(int status, String reason) {
        return new PushOutcome(Result.FAILED, status, reason, null);
    }
}
