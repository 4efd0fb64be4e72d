package dev.herald.server.broker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FullJitterBackoffTest {

    @Test
    void theCeilingDoublesFromTheBaseUntilTheCap() {
        FullJitterBackoff backoff = new FullJitterBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(1)::nextLong);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(100);
        assertThat(backoff.ceilingMillis(2)).isEqualTo(200);
        assertThat(backoff.ceilingMillis(7)).isEqualTo(6_400);
        assertThat(backoff.ceilingMillis(8)).isEqualTo(10_000);
        assertThat(backoff.ceilingMillis(1_000_000)).isEqualTo(10_000);
    }

    @Test
    void delaysSpreadOverTheWholeIntervalFromZeroToTheCeiling() {
        FullJitterBackoff backoff = new FullJitterBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(7)::nextLong);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 5_000; i++) {
            long d = backoff.createDelay(20).toMillis();
            assertThat(d).isBetween(0L, 10_000L);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        // Full jitter, not "half fixed, half random": the low half of the interval is used too.
        assertThat(min).isLessThan(500);
        assertThat(max).isGreaterThan(9_500);
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        FullJitterBackoff a = new FullJitterBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), new Random(3)::nextLong);
        FullJitterBackoff b = new FullJitterBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), new Random(3)::nextLong);
        for (int attempt = 1; attempt < 20; attempt++) {
            assertThat(a.createDelay(attempt)).isEqualTo(b.createDelay(attempt));
        }
    }

    @Test
    void aZeroBaseOrACapBelowTheBaseIsRefusedNamingTheArgument() {
        assertThatThrownBy(() -> new FullJitterBackoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("base");
        assertThatThrownBy(() -> new FullJitterBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cap");
    }
}
