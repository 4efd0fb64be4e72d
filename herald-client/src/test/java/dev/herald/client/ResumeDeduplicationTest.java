package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client's own guard against duplicates, against a scripted server that replays seqs the
 * client already delivered (Herald never does; a proxy replaying, or a bug, might).
 */
class ResumeDeduplicationTest {

    @Test
    void aReplayOfSeqsAlreadyDeliveredReachesNoListenerTwiceAndTheResumeAsksFromTheLastSeq() throws Exception {
        try (ScriptedWebSocketServer server = new ScriptedWebSocketServer();
             HeraldClient client = HeraldClient.builder().url(server.url()).token(Tokens.user("d-ann", Duration.ofHours(1)))
                     .backoff(attempt -> Duration.ofMillis(20)).build()) {
            List<Long> seqs = new CopyOnWriteArrayList<>();
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            client.addNotificationListener(n -> seqs.add(n.seq()));
            client.connect();

            ScriptedWebSocketServer.Connection first = server.next();
            assertThat(first.requestLine).startsWith("GET /ws/notifications HTTP/1.1");
            first.sendText("{\"type\":\"connected\",\"connection_id\":\"c1\",\"user_id\":\"d-ann\",\"stream\":\"user:d-ann\",\"seq\":0}");
            for (int seq = 1; seq <= 3; seq++) {
                first.sendText("{\"type\":\"order_created\",\"id\":\"n" + seq + "\",\"seq\":" + seq + ",\"created_at\":\"2026-12-07T09:00:00Z\"}");
            }
            first.sendText("{\"type\":\"order_created\",\"id\":\"n2\",\"seq\":2,\"created_at\":\"2026-12-07T09:00:00Z\"}"); // a duplicate
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 3);
            first.sendClose(1001, "server shutting down, reconnect and resume");

            ScriptedWebSocketServer.Connection second = server.next();
            assertThat(second.requestLine).startsWith("GET /ws/notifications?since=3 HTTP/1.1");
            second.sendText("{\"type\":\"connected\",\"connection_id\":\"c2\",\"user_id\":\"d-ann\",\"stream\":\"user:d-ann\",\"seq\":5,\"since\":3}");
            for (long seq : new long[] {2, 3, 4, 4, 5}) {
                second.sendText("{\"type\":\"order_created\",\"id\":\"n" + seq + "\",\"seq\":" + seq + ",\"created_at\":\"2026-12-07T09:00:00Z\"}");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() >= 5);
            second.sendText("{\"type\":\"pong\"}"); // the frames before it have been handled once this is
            Thread.sleep(200);
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(log.events).containsSubsequence("connected NOTIFICATIONS", "disconnected NOTIFICATIONS 1001 reconnecting",
                    "reconnecting NOTIFICATIONS 1", "connected NOTIFICATIONS", "resumed NOTIFICATIONS 3");
            assertThat(client.lastSeq()).isEqualTo(5);
        }
    }

    @Test
    void whenTheServersStreamIsShorterThanTheCursorTheClientFollowsTheServer() throws Exception {
        try (ScriptedWebSocketServer server = new ScriptedWebSocketServer();
             HeraldClient client = HeraldClient.builder().url(server.url()).token(Tokens.user("d-ben", Duration.ofHours(1)))
                     .since(40).build()) {
            List<Long> seqs = new CopyOnWriteArrayList<>();
            client.addNotificationListener(n -> seqs.add(n.seq()));
            client.connect();
            ScriptedWebSocketServer.Connection c = server.next();
            assertThat(c.requestLine).contains("since=40");
            // The server's data was reset: its stream ends at 2, so it resumes from 2 (protocol.md, step 4).
            c.sendText("{\"type\":\"connected\",\"connection_id\":\"c1\",\"user_id\":\"d-ben\",\"stream\":\"user:d-ben\",\"seq\":2,\"since\":2}");
            c.sendText("{\"type\":\"order_created\",\"id\":\"n3\",\"seq\":3,\"created_at\":\"2026-12-07T09:00:00Z\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 1);
            assertThat(seqs).containsExactly(3L);
            assertThat(client.connect().get(5, TimeUnit.SECONDS).connectionId()).isEqualTo("c1");
        }
    }
}
