package dev.herald.server.auth;

import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawUpgrade;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A correctly signed token whose {@code sub} the store cannot keep is refused at
 * authentication: 401 on the HTTP API, the WebSocket upgrade and SSE, never a 503 from the
 * store behind it.
 */
class OversizedTokenEndToEndTest {
    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension();

    @Test
    void aSignedTokenWithAFiveThousandCharacterSubIsA401OnEveryEntryPoint() {
        TestServer server = node.server();
        // TestTokens also puts the sub in the name: this token is over 8 KiB as well.
        String huge = server.tokens.forUser("u".repeat(5_000));
        // Under 8 KiB: refused for its sub alone.
        String longSub = server.tokens.forUser("u".repeat(Principal.MAX_USER_ID_LENGTH + 1));

        for (String token : new String[] {huge, longSub}) {
            String reason = token == huge ? "token too long" : "sub too long";

            var http = server.api.asUser("GET", "/api/v1/me/notifications", token, null);
            assertThat(http.status()).isEqualTo(401);
            assertThat(http.body()).contains(reason);

            var ws = RawUpgrade.request(server.port(), "/ws/notifications", Map.of("Authorization", "Bearer " + token));
            assertThat(ws.status()).isEqualTo(401);
            assertThat(ws.body()).contains(reason);

            var sse = server.api.asUser("GET", "/sse/notifications", token, null);
            assertThat(sse.status()).isEqualTo(401);
        }
    }
}
