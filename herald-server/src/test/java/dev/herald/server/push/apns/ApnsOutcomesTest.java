package dev.herald.server.push.apns;

import dev.herald.server.push.PushOutcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class ApnsOutcomesTest {
    @Test
    void acceptedIsSent() {
        assertThat(ApnsOutcomes.of(true, 200, null)).isEqualTo(PushOutcome.sent(200));
    }

    @Test
    void aTokenApnsDisownsIsGone() {
        assertThat(ApnsOutcomes.of(false, 410, "Unregistered")).isEqualTo(PushOutcome.gone(410, "Unregistered"));
        assertThat(ApnsOutcomes.of(false, 400, "BadDeviceToken")).isEqualTo(PushOutcome.gone(400, "BadDeviceToken"));
        assertThat(ApnsOutcomes.of(false, 400, "DeviceTokenNotForTopic")).isEqualTo(PushOutcome.gone(400, "DeviceTokenNotForTopic"));
    }

    @Test
    void overloadOutagesAndProviderTokenTroubleAreRetried() {
        assertThat(ApnsOutcomes.of(false, 429, "TooManyRequests")).isEqualTo(PushOutcome.retry(429, "TooManyRequests", null));
        assertThat(ApnsOutcomes.of(false, 500, "InternalServerError")).isEqualTo(PushOutcome.retry(500, "InternalServerError", null));
        assertThat(ApnsOutcomes.of(false, 503, "ServiceUnavailable")).isEqualTo(PushOutcome.retry(503, "ServiceUnavailable", null));
        assertThat(ApnsOutcomes.of(false, 503, "Shutdown")).isEqualTo(PushOutcome.retry(503, "Shutdown", null));
        assertThat(ApnsOutcomes.of(false, 403, "ExpiredProviderToken")).isEqualTo(PushOutcome.retry(403, "ExpiredProviderToken", null));
        assertThat(ApnsOutcomes.of(false, 403, "InvalidProviderToken")).isEqualTo(PushOutcome.retry(403, "InvalidProviderToken", null));
        assertThat(ApnsOutcomes.of(false, 502, null)).isEqualTo(PushOutcome.retry(502, "", null));
    }

    @Test
    void anythingElseFailsWithApnsReason() {
        assertThat(ApnsOutcomes.of(false, 413, "PayloadTooLarge")).isEqualTo(PushOutcome.failed(413, "PayloadTooLarge"));
        assertThat(ApnsOutcomes.of(false, 400, "TopicDisallowed")).isEqualTo(PushOutcome.failed(400, "TopicDisallowed"));
        assertThat(ApnsOutcomes.of(false, 403, null)).isEqualTo(PushOutcome.failed(403, "HTTP 403"));
    }

    @Test
    void noAnswerIsRetriedWithoutStatusNamingTheFailure() {
        PushOutcome outcome = ApnsOutcomes.of(new CompletionException(new IOException("Connection refused")));

        assertThat(outcome).isEqualTo(PushOutcome.retry(0, "IOException: Connection refused", null));
    }
}
