package dev.herald.server.transport.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTest {
    private final Route route = Route.post("/api/v1/me/notifications/{id}/read", Route.Access.USER, r -> null);

    @Test
    void aMatchingPathYieldsItsParameters() {
        assertThat(route.match("/api/v1/me/notifications/abc/read")).isEqualTo(Map.of("id", "abc"));
    }

    @Test
    void otherPathsDoNotMatch() {
        assertThat(route.match("/api/v1/me/notifications//read")).isNull();
        assertThat(route.match("/api/v1/me/notifications/abc")).isNull();
        assertThat(route.match("/api/v1/me/notifications/abc/read/x")).isNull();
    }
}
