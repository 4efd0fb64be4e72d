package dev.herald.server.chat;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CreationQuotaTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void aUserMayCreateTheirHourlyShareAndThenIsRateLimitedUntilTheWindowEnds() {
        CreationQuota quota = new CreationQuota(3, now::get);
        for (int i = 0; i < 3; i++) {
            quota.take("spammer");
        }
        assertThatThrownBy(() -> quota.take("spammer")).isInstanceOf(ChatException.class)
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ChatException.Code.RATE_LIMITED))
                .hasMessageContaining("at most 3 new conversations per hour");
        quota.take("someone-else");
        now.addAndGet(CreationQuota.WINDOW_MILLIS);
        quota.take("spammer");
    }

    @Test
    void withAZeroQuotaUsersMayNotCreateConversations() {
        CreationQuota quota = new CreationQuota(0, now::get);
        assertThat(quota.allowsUsers()).isFalse();
        assertThatThrownBy(() -> quota.take("u")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void usersWhoseWindowEndedAreForgottenSoMemoryFollowsActiveCreators() {
        CreationQuota quota = new CreationQuota(1, now::get);
        for (int i = 0; i <= CreationQuota.PURGE_ABOVE; i++) {
            quota.take("u" + i);
        }
        now.addAndGet(CreationQuota.WINDOW_MILLIS);
        quota.take("late");
        assertThat(quota.tracked()).isEqualTo(1);
    }
}
