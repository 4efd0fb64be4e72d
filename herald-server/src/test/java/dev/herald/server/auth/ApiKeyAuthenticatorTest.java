package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
    private final ApiKeyAuthenticator keys = new ApiKeyAuthenticator(List.of("key-one-0123456789", "key-two-0123456789"));

    @Test
    void everyConfiguredKeyIsAccepted() {
        assertThat(keys.isValid("key-one-0123456789")).isTrue();
        assertThat(keys.isValid("key-two-0123456789")).isTrue();
    }

    @Test
    void unknownPrefixedOrEmptyKeysAreRefused() {
        assertThat(keys.isValid("key-three-0123456789")).isFalse();
        assertThat(keys.isValid("key-one-012345678")).isFalse();
        assertThat(keys.isValid("key-one-0123456789x")).isFalse();
        assertThat(keys.isValid("")).isFalse();
        assertThat(keys.isValid(null)).isFalse();
    }

    @Test
    void toStringNeverShowsTheKeys() {
        assertThat(keys.toString()).doesNotContain("key-one").contains("2 keys");
    }

    @Test
    void noKeysOrABlankKeyIsAMisconfiguration() {
        assertThatThrownBy(() -> new ApiKeyAuthenticator(List.of())).hasMessageContaining("keys:");
        assertThatThrownBy(() -> new ApiKeyAuthenticator(List.of(" "))).hasMessageContaining("blank");
    }
}
