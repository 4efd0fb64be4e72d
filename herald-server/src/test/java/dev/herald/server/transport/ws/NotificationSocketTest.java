package dev.herald.server.transport.ws;

import dev.herald.server.auth.Principal;
import dev.herald.server.transport.http.ApiException;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotificationSocketTest {
    private final Principal user42 = new Principal("42", "Ann", Set.of("branch:7"), null);

    private static void assertStatus(Runnable r, HttpResponseStatus status) {
        assertThatThrownBy(r::run).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(status));
    }

    @Test
    void noTypeOrTheOwnUserIdMeansTheUsersOwnStream() {
        assertThat(NotificationSocket.topicOf(user42, null, null)).isNull();
        assertThat(NotificationSocket.topicOf(user42, "user", "42")).isNull();
        assertThat(NotificationSocket.topicOf(user42, "user", null)).isNull();
    }

    @Test
    void aGrantedTopicIsAllowed() {
        assertThat(NotificationSocket.topicOf(user42, "branch", "7")).isEqualTo("branch:7");
    }

    @Test
    void anotherUsersStreamOrAnUngrantedTopicIsForbidden() {
        assertStatus(() -> NotificationSocket.topicOf(user42, "user", "43"), HttpResponseStatus.FORBIDDEN);
        assertStatus(() -> NotificationSocket.topicOf(user42, "branch", "8"), HttpResponseStatus.FORBIDDEN);
    }

    @Test
    void malformedParametersAreBadRequests() {
        assertStatus(() -> NotificationSocket.topicOf(user42, "branch", null), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> NotificationSocket.topicOf(user42, null, "7"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> NotificationSocket.topicOf(user42, "bad type", "7"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> NotificationSocket.since("-1"), HttpResponseStatus.BAD_REQUEST);
        assertStatus(() -> NotificationSocket.since("abc"), HttpResponseStatus.BAD_REQUEST);
        assertThat(NotificationSocket.since(null)).isEqualTo(-1);
        assertThat(NotificationSocket.since("12")).isEqualTo(12);
    }
}
