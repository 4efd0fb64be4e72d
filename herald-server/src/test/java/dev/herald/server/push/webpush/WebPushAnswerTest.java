package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushOutcome.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class WebPushAnswerTest {
    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");
    private static final byte[] NONE = new byte[0];

    @Test
    void everyStatusMapsToItsResult() {
        for (int status : new int[] {200, 201, 202}) {
            assertThat(WebPushAnswer.of(status, null, NONE, NOW)).isEqualTo(PushOutcome.sent(status));
        }
        for (int status : new int[] {404, 410}) {
            assertThat(WebPushAnswer.of(status, null, NONE, NOW).result()).isEqualTo(Result.GONE);
        }
        for (int status : new int[] {429, 500, 502, 503, 504}) {
            assertThat(WebPushAnswer.of(status, null, NONE, NOW).result()).isEqualTo(Result.RETRY);
        }
        for (int status : new int[] {204, 301, 400, 401, 403, 413, 501}) {
            assertThat(WebPushAnswer.of(status, null, NONE, NOW)).as("HTTP %d", status)
                    .isEqualTo(PushOutcome.failed(status, "HTTP " + status));
        }
    }

    @Test
    void aRetryCarriesTheProvidersRetryAfter() {
        assertThat(WebPushAnswer.of(503, "Mon, 07 Dec 2026 08:01:00 GMT", NONE, NOW).retryAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(WebPushAnswer.of(429, "7", NONE, NOW).retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(WebPushAnswer.of(429, null, NONE, NOW).retryAfter()).isNull();
    }

    @Test
    void theReasonIsTheStatusAndTwoHundredCharactersOfTheBodyWithoutControlCharacters() {
        byte[] body = ("line one\r\n\u0007line two\u0000" + "é".repeat(300)).getBytes(StandardCharsets.UTF_8);

        String reason = WebPushAnswer.of(400, null, body, NOW).reason();

        assertThat(reason).isEqualTo("HTTP 400: line one line two " + "é".repeat(200 - "line one line two ".length()));
    }

    @Test
    void noAnswerIsARetryWithStatusZeroAndWithoutTheEndpoint() {
        URI endpoint = URI.create("https://push.example/wpush/v2/secret-token");
        Throwable error = new CompletionException(new IOException("cannot reach " + endpoint + " or /wpush/v2/secret-token"));

        assertThat(WebPushAnswer.ofFailure(error, endpoint))
                .isEqualTo(PushOutcome.retry(0, "IOException: cannot reach <endpoint> or <path>", null));
        assertThat(WebPushAnswer.ofFailure(new HttpTimeoutException("request timed out"), endpoint))
                .isEqualTo(PushOutcome.retry(0, "HttpTimeoutException: request timed out", null));
        assertThat(WebPushAnswer.ofFailure(new java.net.ConnectException(), null))
                .isEqualTo(PushOutcome.retry(0, "ConnectException", null));
    }
}
