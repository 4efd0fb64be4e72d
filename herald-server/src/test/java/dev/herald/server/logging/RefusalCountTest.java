package dev.herald.server.logging;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalCountTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final RefusalCount count = new RefusalCount(Duration.ofSeconds(10), clock::get);

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void theFirstRefusalIsSaidAtOnceAndTheNextOnesOncePerInterval() {
        count.add();
        assertThat(count.takeIfDue(false)).isEqualTo(new RefusalCount.Summary(1, 1));
        for (int i = 0; i < 500; i++) {
            count.add();
            assertThat(count.takeIfDue(false)).isNull();
        }
        advance(Duration.ofSeconds(9));
        assertThat(count.takeIfDue(false)).isNull();
        advance(Duration.ofSeconds(1));
        assertThat(count.takeIfDue(false)).isEqualTo(new RefusalCount.Summary(500, 11));
        assertThat(count.takeIfDue(true)).as("nothing left to say").isNull();
    }

    @Test
    void forcingSaysTheRestOfABurstBeforeTheIntervalEnds() {
        count.add();
        count.takeIfDue(false);
        advance(Duration.ofSeconds(2));
        count.add();
        count.add();
        assertThat(count.takeIfDue(false)).isNull();
        assertThat(count.takeIfDue(true)).isEqualTo(new RefusalCount.Summary(2, 1));
    }

    @Test
    void nothingIsSaidWithoutRefusals() {
        advance(Duration.ofMinutes(5));
        assertThat(count.takeIfDue(false)).isNull();
        assertThat(count.takeIfDue(true)).isNull();
    }
}
