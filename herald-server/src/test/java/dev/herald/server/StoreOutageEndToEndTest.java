package dev.herald.server;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.TcpProxy;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node on PostgreSQL whose database goes away: it says so (/readyz 503, publishes 503, never a
 * false 2xx), keeps its clients connected, and recovers by itself when the database returns.
 */
@Tag("postgres")
class StoreOutageEndToEndTest {

    @Test
    void aDatabaseOutageIsReportedHonestlyAndHealsByItself() throws Exception {
        try (PostgresSupport pg = PostgresSupport.freshSchema("outage");
             TcpProxy proxy = new TcpProxy(PostgresSupport.PORT)) {
            String url = "postgresql://" + PostgresSupport.USER + "@127.0.0.1:" + proxy.port() + "/"
                    + PostgresSupport.DATABASE + "?currentSchema=" + pg.schema();
            try (TestServer server = TestServer.start(b -> b.storeUrl(url));
                 WsClient ws = server.connectAs("pg-user", "/ws/notifications")) {
                ws.nextOfType("connected", Duration.ofSeconds(5));
                server.api.notifyUser("pg-user", "{\"type\":\"before\"}");
                assertThat(ws.nextOfType("before", Duration.ofSeconds(5)).get("seq").asLong()).isEqualTo(1);

                proxy.cut();
                await().atMost(Duration.ofSeconds(20)).until(() -> server.api.get("/readyz").status() == 503);
                assertThat(server.api.get("/readyz").json().get("store").asText()).isEqualTo("unreachable");
                Api.Reply refused = server.api.publish("{\"to\":{\"user\":\"pg-user\"},\"notification\":{\"type\":\"during\"}}");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().get("error").asText()).contains("store unavailable");
                ws.send("{\"type\":\"ping\"}");
                assertThat(ws.nextOfType("pong", Duration.ofSeconds(5))).isNotNull();

                proxy.restore();
                await().atMost(Duration.ofSeconds(30)).until(() -> server.api.get("/readyz").status() == 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> server.api.publish(
                        "{\"to\":{\"user\":\"pg-user\"},\"notification\":{\"type\":\"after\"}}").status() == 201);
                assertThat(ws.nextOfType("after", Duration.ofSeconds(10)).get("seq").asLong()).isEqualTo(2);
                assertThat(ws.isClosed()).isFalse();
            }
        }
    }
}
