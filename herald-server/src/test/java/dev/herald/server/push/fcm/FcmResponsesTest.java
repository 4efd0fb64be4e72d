package dev.herald.server.push.fcm;

import dev.herald.server.push.PushOutcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FcmResponsesTest {
    private static final Instant NOW = Instant.parse("2015-10-21T07:28:00Z");

    private static String error(int code, String status, String errorCode, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\""
                + (errorCode == null ? "" : ",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"" + errorCode + "\"}]")
                + "}}";
    }

    @Test
    void okIsSent() {
        assertThat(FcmResponses.of(200, "{\"name\":\"projects/p/messages/1\"}", null, NOW, "t")).isEqualTo(PushOutcome.sent(200));
    }

    @Test
    void unregisteredOrNotFoundIsGone() {
        assertThat(FcmResponses.of(404, error(404, "NOT_FOUND", "UNREGISTERED", "x"), null, NOW, "t"))
                .isEqualTo(PushOutcome.gone(404, "UNREGISTERED"));
        assertThat(FcmResponses.of(400, error(400, "INVALID_ARGUMENT", "UNREGISTERED", "x"), null, NOW, "t"))
                .isEqualTo(PushOutcome.gone(400, "UNREGISTERED"));
        assertThat(FcmResponses.of(404, "", null, NOW, "t")).isEqualTo(PushOutcome.gone(404, "HTTP 404"));
    }

    @Test
    void onlyASenderMismatchMakesA403Gone() {
        assertThat(FcmResponses.of(403, error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "x"), null, NOW, "t"))
                .isEqualTo(PushOutcome.gone(403, "SENDER_ID_MISMATCH"));
        assertThat(FcmResponses.of(403, error(403, "PERMISSION_DENIED", null, "x"), null, NOW, "t"))
                .isEqualTo(PushOutcome.failed(403, "PERMISSION_DENIED"));
    }

    @Test
    void quotaAndOutagesAreRetriedWithTheirRetryAfterInEitherForm() {
        assertThat(FcmResponses.of(429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "x"), "120", NOW, "t"))
                .isEqualTo(PushOutcome.retry(429, "QUOTA_EXCEEDED", Duration.ofSeconds(120)));
        assertThat(FcmResponses.of(503, error(503, "UNAVAILABLE", "UNAVAILABLE", "x"), "Wed, 21 Oct 2015 07:28:30 GMT", NOW, "t"))
                .isEqualTo(PushOutcome.retry(503, "UNAVAILABLE", Duration.ofSeconds(30)));
        assertThat(FcmResponses.of(500, error(500, "INTERNAL", "INTERNAL", "x"), null, NOW, "t"))
                .isEqualTo(PushOutcome.retry(500, "INTERNAL", null));
        assertThat(FcmResponses.of(502, "<html>bad gateway</html>", "soon", NOW, "t"))
                .isEqualTo(PushOutcome.retry(502, "HTTP 502", null));
    }

    @Test
    void anInvalidArgumentFailsWithFcmsMessageCutTo200CharactersAndNoToken() {
        String token = "fcm-token-123";
        PushOutcome outcome = FcmResponses.of(400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                "Invalid value " + token + " " + "y".repeat(300)), null, NOW, token);

        assertThat(outcome.result()).isEqualTo(PushOutcome.Result.FAILED);
        assertThat(outcome.reason()).startsWith("INVALID_ARGUMENT: Invalid value <token> yyy").doesNotContain(token)
                .hasSize("INVALID_ARGUMENT: ".length() + 200);
    }
}
