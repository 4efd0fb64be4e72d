package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigValueTest {
    @Test
    void durationsAcceptUnitsCombinationsAndIso() {
        assertThat(value("25s").asDuration()).isEqualTo(Duration.ofSeconds(25));
        assertThat(value("1m").asDuration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(value("1m30s").asDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(value("500ms").asDuration()).isEqualTo(Duration.ofMillis(500));
        assertThat(value("2h").asDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(value("7d").asDuration()).isEqualTo(Duration.ofDays(7));
        assertThat(value("PT2S").asDuration()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void durationsWithoutUnitsOrPositiveLengthAreRefused() {
        for (String bad : new String[] {"25", "abc", "5x", "s", "1m 30s", "PTxS"}) {
            assertThatThrownBy(() -> value(bad).asDuration()).as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("Invalid value for option '--ping-interval': '" + bad + "' is not a duration; use e.g. 25s, 1m, 500ms");
        }
        assertThatThrownBy(() -> value("0s").asDuration()).hasMessageEndingWith("must be positive");
    }

    @Test
    void sizesAcceptBinaryUnits() {
        assertThat(value("65536").asBytes()).isEqualTo(65536);
        assertThat(value("64k").asBytes()).isEqualTo(65536);
        assertThat(value("64KiB").asBytes()).isEqualTo(65536);
        assertThat(value("64 KB").asBytes()).isEqualTo(65536);
        assertThat(value("4m").asBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(value("1g").asBytes()).isEqualTo(1024 * 1024 * 1024);
    }

    @Test
    void sizesThatAreZeroTooLargeOrNotSizesAreRefused() {
        assertThatThrownBy(() -> value("lots").asBytes()).hasMessageEndingWith("is not a size; use e.g. 65536, 64k, 4m");
        assertThatThrownBy(() -> value("-1").asBytes()).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> value("0").asBytes()).hasMessageEndingWith("must be positive");
        assertThatThrownBy(() -> value("2g").asBytes()).hasMessageContaining("too large");
        assertThatThrownBy(() -> value("99999999999999999999").asBytes()).hasMessageContaining("too large");
    }

    @Test
    void portsAreZeroTo65535() {
        assertThat(value("0").asPort()).isZero();
        assertThat(value("65535").asPort()).isEqualTo(65535);
        assertThatThrownBy(() -> value("65536").asPort()).hasMessageContaining("is not a port number");
        assertThatThrownBy(() -> value("-1").asPort()).hasMessageContaining("is not a port number");
    }

    @Test
    void listsAreCommaSeparatedAndTrimmed() {
        assertThat(value(" a , b,,c ").asList()).containsExactly("a", "b", "c");
    }

    private static ConfigValue value(String raw) {
        return new ConfigValue("ping-interval", raw, "option '--ping-interval'");
    }
}
