package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebPushSettingsTest {
    private static final VapidKeys KEYS = VapidKeys.generate(new SecureRandom());

    @Test
    void theSubjectIsAMailtoAddressOrAnHttpsUrl() {
        assertThat(new WebPushSettings("mailto:ops@herald.test", KEYS).subject()).isEqualTo("mailto:ops@herald.test");
        assertThat(new WebPushSettings("https://herald.test/contact", KEYS).timeout()).isEqualTo(Duration.ofSeconds(10));

        for (String bad : new String[] {"ops@herald.test", "mailto:", "mailto:nobody", "http://herald.test", "https:relative",
                "https://bad host/"}) {
            assertThatThrownBy(() -> new WebPushSettings(bad, KEYS)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("subject: ");
        }
        assertThatThrownBy(() -> new WebPushSettings(" ", KEYS)).hasMessageStartingWith("subject: required");
    }

    @Test
    void theTimeoutIsPositiveAndAtMostFiveMinutes() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMinutes(6)}) {
            assertThatThrownBy(() -> new WebPushSettings("mailto:ops@herald.test", KEYS, false, bad, null)).as(bad.toString())
                    .hasMessageStartingWith("timeout: must be over zero and at most 5 minutes");
        }
        assertThat(new WebPushSettings("mailto:ops@herald.test", KEYS, true, Duration.ofMinutes(5), null).allowHttpEndpoints())
                .isTrue();
    }
}
