package dev.herald.server.api;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Opening conversations with arbitrary user ids is the spam path into inboxes: it is bounded. */
class ConversationQuotaEndToEndTest {

    @Test
    void aUserCreatingConversationsWithEveryoneIsStoppedAfterTheHourlyQuota() {
        try (TestServer server = TestServer.start(b -> b.maxNewConversationsPerHour(2))) {
            String token = server.tokens.forUser("spammer");
            for (int i = 0; i < 2; i++) {
                assertThat(create(server, token, "target-" + i).status()).isEqualTo(201);
            }
            Api.Reply third = create(server, token, "target-2");
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.body()).contains("at most 2 new conversations per hour");
            // App backends are not counted.
            Api.Reply backend = server.api.send("POST", "/api/v1/backend/conversations",
                    "{\"kind\":\"direct\",\"members\":[\"spammer\",\"target-3\"]}",
                    java.util.Map.of("Authorization", "Bearer " + TestServer.API_KEY));
            assertThat(backend.status()).isEqualTo(201);
        }
    }

    @Test
    void withAZeroQuotaOnlyAppBackendsCreateConversations() {
        try (TestServer server = TestServer.start(b -> b.maxNewConversationsPerHour(0))) {
            Api.Reply refused = create(server, server.tokens.forUser("u1"), "u2");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("the app backend creates them");
        }
    }

    private static Api.Reply create(TestServer server, String token, String other) {
        return server.api.asUser("POST", "/api/v1/conversations", token,
                "{\"kind\":\"direct\",\"members\":[\"" + other + "\"]}");
    }
}
