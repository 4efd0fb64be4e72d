package dev.herald.server.transport;

import dev.herald.server.auth.Principal;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamRequestTest {
    private final Principal user42 = new Principal("42", "Ann", Set.of("branch:7"), null);

    private static void assertStatus(Runnable r, HttpResponseStatus status) {
        assertThatThrownBy(r::run).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(status));
    }

    @Test
    void noTypeOrTheOwnUserIdMeansTheUsersOwnStream() {
        assertThat(StreamRequest.topicOf(user42, null, null)).isNull();
        assertThat(StreamRequest.topicOf(user42, "user", "42")).isNull();
        assertThat(StreamRequest.topicOf(user42, "user", null)).isNull();
    }

    @Test
    void aGrantedTopicIsAllowed() {
        assertThat(StreamRequest.topicOf(user42, "branch", "7")).isEqualTo("branch:7");
    }

    @Test
    void anotherUsersStreamOrAnUngrantedTopicIsForbidden() {
        assertStatus(() -> StreamRequest.topicOf(user42, "user", "43"), HttpResponseStatus.FORBIDDEN);
        assertStatus(() -> StreamRequest.topicOf(user42, "branch", "8"), HttpResponseStatus.FORBIDDEN);
    }

    @Test
    void anSseLastEventIdWinsOverSince() {
        assertThat(StreamRequest.parse(user42, java.util.Map.of("since", java.util.List.of("3")), "9").since()).isEqualTo(9);
        assertThat(StreamRequest.parse(user42, java.util.Map.of("since", java.util.List.of("3")), null).since()).isEqualTo(3);
        assertThat(StreamRequest.parse(user42, java.util.Map.of(), null).stream()).isEqualTo("user:42");
    }

    @Test
    void malformedParametersAreBadRequests() {
        assertStatus(() -> StreamRequest.topicOf(user42, "branch", null), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> StreamRequest.topicOf(user42, null, "7"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> StreamRequest.topicOf(user42, "bad type", "7"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> StreamRequest.since("-1"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> StreamRequest.since("abc"), HttpResponseStatus.BAD_REQUEST);
        assertThat(StreamRequest.since(null)).isEqualTo(-1);
        assertThat(StreamRequest.since("12")).isEqualTo(12);
    }
}
