package dev.herald.server.store.jdbc;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Version 7 ids as text sort by their millisecond, which the retention purge's id range relies on. */
class NotificationIdsTest {

    @Test
    void idsOfAMillisecondSortBetweenTheLowestIdsOfItAndOfTheNext() {
        Instant t = Instant.parse("2026-12-07T06:45:12.345Z");
        for (int i = 0; i < 1_000; i++) {
            String id = NotificationIds.next(t.toEpochMilli());
            assertThat(id).isGreaterThanOrEqualTo(NotificationIds.lowestAt(t));
            assertThat(id).isLessThan(NotificationIds.lowestAt(t.plusMillis(1)));
            assertThat(UUID.fromString(id).version()).isEqualTo(7);
        }
        assertThat(NotificationIds.lowestAt(t.minusSeconds(86_400 * 365L))).isLessThan(NotificationIds.lowestAt(t));
    }
}
