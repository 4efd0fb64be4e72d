package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.RetryAfter;

import java.time.Instant;

/**
 * What an FCM answer means for the dispatcher, from its status and the error body FCM sends
 * ({@code {"error": {"code", "message", "status", "details": [{"@type":
 * "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode"}]}}}). Pure and thread-safe.
 *
 * <p>The reason is FCM's {@code errorCode} when it gave one, else its {@code status}; a refused
 * argument adds FCM's message, cut to 200 characters, with the device token blanked out.
 */
final class FcmResponses {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 200;

    private FcmResponses() {
    }

    static PushOutcome of(int status, String body, String retryAfter, Instant now, String deviceToken) {
        if (status == 200) {
            return PushOutcome.sent(200);
        }
        JsonNode error = error(body);
        String errorCode = errorCode(error);
        String reason = !errorCode.isEmpty() ? errorCode : error.path("status").asText("HTTP " + status);
        if (status == 404 || errorCode.equals("UNREGISTERED")) {
            return PushOutcome.gone(status, reason);
        }
        if (status == 403 && errorCode.equals("SENDER_ID_MISMATCH")) {
            return PushOutcome.gone(status, reason);
        }
        if (status == 429 || status >= 500) {
            return PushOutcome.retry(status, reason, RetryAfter.parse(retryAfter, now));
        }
        if (status == 400) {
            String message = error.path("message").asText("");
            if (deviceToken != null && !deviceToken.isEmpty()) {
                message = message.replace(deviceToken, "<token>");
            }
            return PushOutcome.failed(status, message.isEmpty() ? reason : reason + ": " + cut(message));
        }
        return PushOutcome.failed(status, reason);
    }

    /** At most 200 characters, for a provider's text in a reason or a log line. */
    static String cut(String text) {
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) : text;
    }

    private static JsonNode error(String body) {
        try {
            JsonNode json = body == null || body.isEmpty() ? null : JSON.readTree(body);
            return json == null ? JSON.missingNode() : json.path("error");
        } catch (Exception e) {
            return JSON.missingNode();
        }
    }

    private static String errorCode(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (detail.path("@type").asText("").endsWith("google.firebase.fcm.v1.FcmError")
                    && detail.hasNonNull("errorCode")) {
                return detail.get("errorCode").asText();
            }
        }
        return "";
    }
}
