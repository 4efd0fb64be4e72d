package dev.herald.server;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.Inboxes;
import dev.herald.server.testing.PostgresSupport;
import dev.herald.server.testing.PrivatePostgres;
import dev.herald.server.testing.PublishLoad;
import dev.herald.server.testing.TcpProxy;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

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

    /**
     * The real thing: the PostgreSQL server itself is stopped (fast shutdown) while four
     * publishers publish, and started again on the same data and port. While it is down every
     * publish is refused with 503 in bounded time and /readyz says the store is unreachable; after
     * it returns the node serves again without a restart, and nothing acknowledged is lost. A
     * private server, so the shared PostgreSQL other tests use is never stopped.
     */
    @Test
    void aPostgresqlServerStoppedUnderLoadRefusesPublishesWith503AndHealsWithNothingAcknowledgedLost() throws Exception {
        List<String> users = List.of("pg0", "pg1", "pg2");
        try (PrivatePostgres pg = PrivatePostgres.start();
             TestServer server = TestServer.start(b -> b.storeUrl(pg.storeUrl()));
             WsClient ws = server.connectAs("pg0", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            PublishLoad load = PublishLoad.start(server.api, users, 4, 50_000);
            Duration refusal;
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= 200);

                pg.stopServer();
                await().atMost(Duration.ofSeconds(20)).until(() -> server.api.get("/readyz").status() == 503);
                assertThat(server.api.get("/readyz").json().get("store").asText()).isEqualTo("unreachable");
                await().atMost(Duration.ofSeconds(30)).until(() -> load.refused(503) >= 4);
                long t0 = System.nanoTime();
                Api.Reply refused = server.api.publish("{\"to\":{\"user\":\"pg0\"},\"notification\":{\"type\":\"during\"}}");
                refusal = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().get("error").asText()).contains("store unavailable");
                // A publish waits at most 15 s in the store (docs/store.md); each connection attempt 3 s.
                assertThat(refusal).isLessThan(Duration.ofSeconds(16));

                pg.startServer();
                await().atMost(Duration.ofSeconds(30)).until(() -> server.api.get("/readyz").status() == 200);
                int atRecovery = load.acknowledged();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= atRecovery + 200);
            } finally {
                load.stop();
            }
            System.out.printf("PostgreSQL stop: acks=%d refused=%s unanswered=%d slowest refusal=%s one refusal=%s%n",
                    load.acknowledged(), load.refusedByStatus, load.unanswered.get(), load.slowestRefusal(), refusal);
            assertThat(load.refusedByStatus.keySet()).as("refusals").containsOnly(503);
            assertThat(load.unanswered.get()).as("publishes without an answer").isZero();
            assertThat(load.slowestRefusal()).isLessThan(Duration.ofSeconds(16));

            Map<String, Long> stored = Inboxes.assertNothingAcknowledgedLost(server.api, users, load.acks);
            // The connected client, never disconnected, got pg0's whole stream in order.
            List<Long> seqs = new ArrayList<>();
            while (seqs.size() < stored.get("pg0")) {
                seqs.add(ws.nextOfType("load", Duration.ofSeconds(20)).get("seq").asLong());
            }
            assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, stored.get("pg0")).boxed().toList());
            assertThat(ws.isClosed()).isFalse();
        }
    }
}
