package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PushSinkTest {

    @Test
    void topicOfACollapseKeyGivesThePublishIndex() {
        assertThat(PushSink.index("k0")).isZero();
        assertThat(PushSink.index("k17")).isEqualTo(17);
        assertThat(PushSink.index("k" + Long.MAX_VALUE / 10)).isEqualTo(Long.MAX_VALUE / 10);
    }

    @Test
    void anyOtherTopicIsUnidentified() {
        assertThat(PushSink.index(null)).isEqualTo(-1);
        assertThat(PushSink.index("k")).isEqualTo(-1);
        assertThat(PushSink.index("order-17")).isEqualTo(-1);
        assertThat(PushSink.index("k1x")).isEqualTo(-1);
        // Herald hashes a key it cannot send as is: 32 characters of base64url, never k<digits> alone.
        assertThat(PushSink.index("kQ2h1c2VfMzJfY2hhcmFjdGVyc19sb25n")).isEqualTo(-1);
        assertThat(PushSink.index("k1234567890123456789")).as("more digits than a long holds").isEqualTo(-1);
    }
}
