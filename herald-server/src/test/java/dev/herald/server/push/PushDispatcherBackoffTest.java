package dev.herald.server.push;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PushDispatcherBackoffTest {
    @Test
    void theWaitDoublesPerTryWithJitterUpToAnHourAndNeverUndercutsRetryAfter() {
        for (int i = 0; i < 200; i++) {
            assertThat(PushDispatcher.backoff(1, null)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
            assertThat(PushDispatcher.backoff(3, null)).isBetween(Duration.ofSeconds(16), Duration.ofSeconds(20));
            assertThat(PushDispatcher.backoff(30, null)).isBetween(Duration.ofMinutes(48), Duration.ofHours(1));
            assertThat(PushDispatcher.backoff(1, Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(90));
            assertThat(PushDispatcher.backoff(7, Duration.ofSeconds(1))).isGreaterThan(Duration.ofMinutes(4));
        }
    }
}
