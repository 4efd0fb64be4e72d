package dev.herald.server.push.webpush;

import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.RetryAfter;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * What a push service's answer means for the dispatcher (RFC 8030 section 5, and what Mozilla's,
 * Google's, Apple's and Microsoft's push services document):
 *
 * <ul>
 *   <li>200, 201, 202: {@code SENT};</li>
 *   <li>404, 410: {@code GONE}, the subscription expired or the user unsubscribed;</li>
 *   <li>429, 500, 502, 503, 504: {@code RETRY}, after {@code Retry-After} when given (seconds or an
 *       HTTP-date, capped at an hour: {@link RetryAfter});</li>
 *   <li>anything else (400 malformed, 401/403 a VAPID key the subscription was not made with, 413
 *       too large, redirects): {@code FAILED}, with the status and at most
 *       {@value #MAX_BODY_CHARS} characters of the body as the reason;</li>
 *   <li>no answer (refused connection, timeout, TLS failure): {@code RETRY} with status 0.</li>
 * </ul>
 *
 * <p>A reason never contains the endpoint, which is a credential. Stateless and thread-safe.
 */
final class WebPushAnswer {
    static final int MAX_BODY_CHARS = 200;
    /** Enough bytes of a body for {@link #MAX_BODY_CHARS} characters of UTF-8. */
    static final int MAX_BODY_BYTES = MAX_BODY_CHARS * 4;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}]+");

    private WebPushAnswer() {
    }

    /**
     * The outcome of an answer.
     *
     * @param retryAfter the {@code Retry-After} header, or null
     * @param body       the first bytes of the body (for a failure's reason)
     */
    static PushOutcome of(int status, String retryAfter, byte[] body, Instant now) {
        return switch (status) {
            case 200, 201, 202 -> PushOutcome.sent(status);
            case 404, 410 -> PushOutcome.gone(status, reason(status, body));
            case 429, 500, 502, 503, 504 -> PushOutcome.retry(status, reason(status, body), RetryAfter.parse(retryAfter, now));
            default -> PushOutcome.failed(status, reason(status, body));
        };
    }

    /**
     * The outcome when no answer came: {@code RETRY}, status 0, the failure's class and message,
     * with {@code endpoint} (null when there was none yet) cut out of the message.
     */
    static PushOutcome ofFailure(Throwable error, URI endpoint) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        String reason = cause.getClass().getSimpleName();
        if (message != null && !message.isBlank()) {
            if (endpoint != null) {
                message = message.replace(endpoint.toString(), "<endpoint>");
                if (endpoint.getRawPath() != null && endpoint.getRawPath().length() > 1) {
                    message = message.replace(endpoint.getRawPath(), "<path>");
                }
            }
            reason += ": " + message;
        }
        return PushOutcome.retry(0, clean(reason), null);
    }

    private static String reason(int status, byte[] body) {
        String text = clean(new String(body, StandardCharsets.UTF_8));
        return text.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + text;
    }

    /** Control characters (line breaks included) become single spaces; at most {@link #MAX_BODY_CHARS} characters. */
    private static String clean(String text) {
        String flat = CONTROL.matcher(text).replaceAll(" ").strip();
        if (flat.codePointCount(0, flat.length()) <= MAX_BODY_CHARS) {
            return flat;
        }
        return flat.substring(0, flat.offsetByCodePoints(0, MAX_BODY_CHARS));
    }
}
