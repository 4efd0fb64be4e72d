package dev.herald.server.push.apns;

import dev.herald.server.push.PushOutcome;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What an APNs answer means for the dispatcher. Pure and thread-safe.
 *
 * <p>The reasons are those of Apple's "Handling notification responses from APNs". A provider
 * token APNs calls expired or invalid is retried: Pushy closes a connection whose token APNs
 * called expired and signs a fresh one on the next, and an invalid one most often comes from a
 * key revoked or not yet active, which the operator fixes without the device being at fault.
 */
final class ApnsOutcomes {
    private static final Set<String> GONE = Set.of("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic");
    private static final Set<String> RETRY = Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable",
            "Shutdown", "ExpiredProviderToken", "InvalidProviderToken");

    private ApnsOutcomes() {
    }

    /** The outcome of an answer APNs gave: its status and, when it refused, its reason. */
    static PushOutcome of(boolean accepted, int status, String reason) {
        if (accepted) {
            return PushOutcome.sent(status);
        }
        String r = reason == null ? "" : reason;
        if (GONE.contains(r)) {
            return PushOutcome.gone(status, r);
        }
        if (RETRY.contains(r) || status == 429 || status >= 500) {
            return PushOutcome.retry(status, r, null);
        }
        return PushOutcome.failed(status, r.isEmpty() ? "HTTP " + status : r);
    }

    /** The outcome of a send that got no answer: a refused connection, a TLS failure, a closed client. */
    static PushOutcome of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return PushOutcome.retry(0, cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + (message.length() > 200 ? message.substring(0, 200) : message)), null);
    }
}
