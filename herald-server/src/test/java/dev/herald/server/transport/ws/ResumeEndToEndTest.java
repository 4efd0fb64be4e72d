package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The resume guarantee over real sockets: a client that keeps dropping and reconnecting with
 * its last seq while publishers publish ends with every notification once, in order; and a
 * client too slow to read is closed with "reconnect and resume" and loses nothing.
 */
class ResumeEndToEndTest {

    @Test
    void reconnectingWithTheLastSeqWhilePublishersPublishLosesAndRepeatsNothing() throws Exception {
        int total = 600;
        try (TestServer server = TestServer.start()) {
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int offset = p;
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = offset; i < total; i += 2) {
                        Api.Reply r = server.api.publish("{\"to\":{\"user\":\"2001\"},\"notification\":{\"type\":\"tick\",\"i\":" + i + "}}");
                        if (r.status() != 201) {
                            failures.add(r.status() + " " + r.body());
                        }
                    }
                }));
            }

            Random random = new Random(42);
            List<Long> seqs = new ArrayList<>();
            Set<Integer> payloads = new TreeSet<>();
            long last = 0;
            int connections = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (seqs.size() < total && System.nanoTime() < deadline) {
                connections++;
                try (WsClient ws = server.connectAs("2001", "/ws/notifications?since=" + last)) {
                    JsonNode connected = ws.next();
                    assertThat(connected.get("type").asText()).isEqualTo("connected");
                    int take = 20 + random.nextInt(100);
                    for (int n = 0; n < take && seqs.size() < total; ) {
                        JsonNode f = ws.next(Duration.ofSeconds(20));
                        if (!f.get("type").asText().equals("tick")) {
                            continue;
                        }
                        last = f.get("seq").asLong();
                        seqs.add(last);
                        payloads.add(f.get("i").asInt());
                        n++;
                    }
                }
            }
            for (Thread t : publishers) {
                t.join(Duration.ofSeconds(30));
            }

            assertThat(failures).isEmpty();
            assertThat(connections).isGreaterThan(3);
            assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(payloads).containsExactlyElementsOf(IntStream.range(0, total).boxed().toList());
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedWithReconnectAndResumeAndLosesNothing() throws Exception {
        int total = 800;
        String pad = "x".repeat(20_000);
        try (TestServer server = TestServer.start(b -> b.outboundCapBytes(256 * 1024))) {
            WsClient stuck = server.connectAs("3001", "/ws/notifications");
            stuck.nextOfType("connected", Duration.ofSeconds(5));
            stuck.pause();

            Thread publisher = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < total; i++) {
                    server.api.notifyUser("3001", "{\"type\":\"big\",\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> slowConsumers(server) >= 1);
            stuck.resume();
            long last = 0;
            while (true) {
                JsonNode f = stuck.poll(Duration.ofSeconds(5));
                if (f == null) {
                    break;
                }
                if (f.get("type").asText().equals("big")) {
                    assertThat(f.get("seq").asLong()).isEqualTo(last + 1);
                    last = f.get("seq").asLong();
                }
            }
            assertThat(stuck.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(4008);
            assertThat(last).isLessThan(total);
            publisher.join(Duration.ofSeconds(60));

            try (WsClient resumed = server.connectAs("3001", "/ws/notifications?since=" + last)) {
                resumed.nextOfType("connected", Duration.ofSeconds(5));
                while (last < total) {
                    JsonNode f = resumed.nextOfType("big", Duration.ofSeconds(10));
                    assertThat(f.get("seq").asLong()).isEqualTo(last + 1);
                    last = f.get("seq").asLong();
                }
            }
            assertThat(last).isEqualTo(total);
        }
    }

    private static double slowConsumers(TestServer server) {
        for (String line : server.api.get("/metrics").body().split("\n")) {
            if (line.startsWith("herald_slow_consumers_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
