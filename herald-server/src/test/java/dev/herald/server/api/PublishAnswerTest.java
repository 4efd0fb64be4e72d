package dev.herald.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.store.PublishResult;
import dev.herald.server.store.StoredNotification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The single publish's answer, written without a tree, is byte for byte the batch's per-publish view. */
class PublishAnswerTest {
    private final ObjectMapper json = new ObjectMapper();
    private final NotificationRoutes routes = new NotificationRoutes(
            new NotificationService(null, null, Runnable::run), json, 16 * 1024, n -> { }, Runnable::run);

    private static PublishResult stored(int count, boolean replayed) {
        List<StoredNotification> ns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ns.add(new StoredNotification("0190a1b2-c3d4-7e5f-8a9b-" + String.format("%012d", i), "user:u\"" + i,
                    41 + i, "t", "{\"type\":\"t\"}", Instant.parse("2026-12-06T16:30:00.123Z").plusMillis(i), null, null, null, i, i));
        }
        return new PublishResult(ns, replayed);
    }

    @Test
    void theAnswerIsTheViewsJsonForOneManyAndABroadcast() throws Exception {
        PublishCommand toUsers = new PublishCommand(List.of("user:a"), false, "t", "{\"type\":\"t\"}");
        PublishCommand toAll = new PublishCommand(List.of(), true, "t", "{\"type\":\"t\"}");
        for (PublishCommand command : List.of(toUsers, toAll)) {
            for (PublishResult result : List.of(stored(1, false), stored(3, true), stored(0, false))) {
                assertThat(new String(routes.publishAnswer(command, result)))
                        .isEqualTo(json.writeValueAsString(routes.publishView(command, result)));
            }
        }
    }
}
