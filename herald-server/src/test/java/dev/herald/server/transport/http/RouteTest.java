package dev.herald.server.transport.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

    @Test
    void aPatternWithoutParametersMatchesItselfOnly() {
        Route plain = Route.post("/api/v1/notifications", Route.Access.API_KEY, r -> null);
        assertThat(plain.match("/api/v1/notifications")).isEqualTo(Map.of());
        assertThat(plain.match("/api/v1/notifications/")).isNull();
        assertThat(plain.match("/api/v1/notification")).isNull();
        assertThat(plain.match("/api/v1/notificationsX")).isNull();
        assertThat(plain.match("/api/v1")).isNull();
        assertThat(plain.match("")).isNull();
    }

    /** The segment walk against the split-based match it replaced, on seeded random paths. */
    @Test
    void matchesAsSplittingBothIntoSegmentsDoes() {
        List<String> patterns = List.of("/api/v1/notifications", "/api/v1/notifications/batch",
                "/api/v1/me/notifications/{id}/read", "/api/v1/conversations/{id}/members/{user}", "/", "/{x}",
                "/api/v1/me/notifications/{id}");
        String[] segments = {"", "api", "v1", "notifications", "batch", "me", "read", "abc", "conversations",
                "members", "u1", "{id}"};
        Random random = new Random(13);
        List<String> paths = new ArrayList<>(List.of("", "/", "//", "/api/v1/notifications",
                "/api/v1/me/notifications/abc/read", "/api/v1/conversations/7/members/u1"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder path = new StringBuilder();
            int n = random.nextInt(7);
            for (int k = 0; k < n; k++) {
                path.append('/').append(segments[random.nextInt(segments.length)]);
            }
            paths.add(random.nextInt(10) == 0 ? path + "/" : path.toString());
        }
        for (String pattern : patterns) {
            Route r = Route.get(pattern, Route.Access.PUBLIC, req -> null);
            for (String path : paths) {
                assertThat(r.match(path)).as("%s against %s", path, pattern).isEqualTo(bySplitting(pattern, path));
            }
        }
    }

    private static Map<String, String> bySplitting(String pattern, String path) {
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            String w = want[i];
            if (w.startsWith("{") && w.endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), got[i]);
            } else if (!w.equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
