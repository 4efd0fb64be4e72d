package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScenariosTest {

    @Test
    void everyChatRunSendsClientIdsNoEarlierRunSent() {
        String first = Scenarios.chatClientIdPrefix();
        String second = Scenarios.chatClientIdPrefix();

        // The same conversation and sender in two points of a sweep: "<prefix>0" must differ.
        assertThat(first).isNotEqualTo(second).startsWith("m").endsWith("-");
        assertThat(first + 0).isNotEqualTo(second + 0);
        // Herald's limit on a client id is 128 characters; the index i adds at most 19 digits.
        assertThat(first.length() + 19).isLessThanOrEqualTo(128);
    }
}
