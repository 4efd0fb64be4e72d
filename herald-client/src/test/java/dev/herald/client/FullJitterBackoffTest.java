package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FullJitterBackoffTest {

    @Test
    void eachDelayIsWithinTheDoublingWindowCappedAtTheCap() {
        FullJitterBackoff backoff = new FullJitterBackoff(Duration.ofSeconds(1), Duration.ofSeconds(16), new Random(42));
        for (int attempt = 0; attempt < 40; attempt++) {
            long ceiling = Math.min(16_000, 1_000L << Math.min(attempt, 30));
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delay(attempt).toMillis()).isBetween(0L, ceiling - 1);
            }
        }
    }

    @Test
    void theDelaysSpreadOverTheWholeWindowNotJustItsTop() {
        FullJitterBackoff backoff = new FullJitterBackoff(Duration.ofSeconds(1), Duration.ofSeconds(16), new Random(7));
        long below = 0;
        long above = 0;
        for (int i = 0; i < 1000; i++) {
            long d = backoff.delay(10).toMillis(); // window [0, 16 s)
            if (d < 4_000) {
                below++;
            }
            if (d > 12_000) {
                above++;
            }
        }
        assertThat(below).isGreaterThan(150);
        assertThat(above).isGreaterThan(150);
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        List<Duration> a = new ArrayList<>();
        List<Duration> b = new ArrayList<>();
        FullJitterBackoff x = new FullJitterBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(3));
        FullJitterBackoff y = new FullJitterBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(3));
        for (int i = 0; i < 10; i++) {
            a.add(x.delay(i));
            b.add(y.delay(i));
        }
        assertThat(a).isEqualTo(b);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new FullJitterBackoff(Duration.ZERO, Duration.ofSeconds(1), new Random()))
                .hasMessageStartingWith("base:");
        assertThatThrownBy(() -> new FullJitterBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
                .hasMessageStartingWith("cap:");
        assertThatThrownBy(() -> new FullJitterBackoff().delay(-1)).hasMessageStartingWith("attempt:");
    }
}
