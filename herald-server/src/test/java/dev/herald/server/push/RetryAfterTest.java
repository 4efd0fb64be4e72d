package dev.herald.server.push;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2015-10-21T07:28:00Z");

    @Test
    void deltaSecondsAreTheWait() {
        assertThat(RetryAfter.parse("120", NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 9 ", NOW)).isEqualTo(Duration.ofSeconds(9));
        assertThat(RetryAfter.parse("0", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void anHttpDateIsTheTimeUntilIt() {
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:30:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void anHttpDateAlreadyPastMeansNow() {
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void waitsAreCappedAtOneHour() {
        assertThat(RetryAfter.parse("3601", NOW)).isEqualTo(Duration.ofHours(1));
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEqualTo(Duration.ofHours(1));
        assertThat(RetryAfter.parse("Thu, 22 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void absentOrUnreadableValuesAreNull() {
        assertThat(RetryAfter.parse(null, NOW)).isNull();
        assertThat(RetryAfter.parse("", NOW)).isNull();
        assertThat(RetryAfter.parse("-5", NOW)).isNull();
        assertThat(RetryAfter.parse("1.5", NOW)).isNull();
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse("2015-10-21T07:30:00Z", NOW)).isNull();
    }
}
