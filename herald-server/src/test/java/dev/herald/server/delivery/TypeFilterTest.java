package dev.herald.server.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TypeFilterTest {
    @Test
    void blankMeansEveryType() {
        assertThat(TypeFilter.parse(null).matches("anything")).isTrue();
        assertThat(TypeFilter.parse(" ").isAll()).isTrue();
        assertThat(TypeFilter.parse("*").isAll()).isTrue();
    }

    @Test
    void exactTypesAndPrefixPatternsMatchOnlyThemselves() {
        TypeFilter f = TypeFilter.parse("order_*, payment_status_changed");
        assertThat(f.matches("order_created")).isTrue();
        assertThat(f.matches("order_status_changed")).isTrue();
        assertThat(f.matches("payment_status_changed")).isTrue();
        assertThat(f.matches("payment_status")).isFalse();
        assertThat(f.matches("general_announcement")).isFalse();
    }

    @Test
    void aStarInsideAPatternIsRefusedWithThePatternNamed() {
        assertThatThrownBy(() -> TypeFilter.parse("order_*_x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order_*_x");
    }
}
