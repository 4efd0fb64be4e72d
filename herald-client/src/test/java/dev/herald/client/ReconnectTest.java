package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** One connection or reconnect at a time, whatever the callers do; the backoff's delays are used as given. */
class ReconnectTest {

    @Test
    void manyCallersAskingAtOnceStillMakeOneConnection() throws Exception {
        List<Integer> attemptsAsked = new CopyOnWriteArrayList<>();
        try (ScriptedWebSocketServer server = new ScriptedWebSocketServer();
             HeraldClient client = HeraldClient.builder().url(server.url()).token(Tokens.user("rc-ann", Duration.ofHours(1)))
                     .backoff(attempt -> {
                         attemptsAsked.add(attempt);
                         return Duration.ofMinutes(10); // only reconnectNow() brings it back
                     }).build()) {
            EventLog log = new EventLog();
            client.addConnectionListener(log);
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Thread t = new Thread(client::connect);
                callers.add(t);
                t.start();
            }
            for (Thread t : callers) {
                t.join(5000);
            }
            ScriptedWebSocketServer.Connection first = server.next();
            first.sendText("{\"type\":\"connected\",\"connection_id\":\"c1\",\"user_id\":\"rc-ann\",\"stream\":\"user:rc-ann\",\"seq\":0}");
            assertThat(server.connectionsWithin(300)).as("eight connect() calls, one socket").isZero();

            first.drop();
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("reconnecting") == 1);
            assertThat(log.events).contains("disconnected NOTIFICATIONS -1 reconnecting", "reconnecting NOTIFICATIONS 1");
            callers.clear();
            for (int i = 0; i < 8; i++) {
                Thread t = new Thread(client::reconnectNow);
                callers.add(t);
                t.start();
            }
            for (Thread t : callers) {
                t.join(5000);
            }
            server.next(); // the one reconnect
            assertThat(server.connectionsWithin(500)).as("eight reconnectNow() calls, one new socket").isZero();
            assertThat(attemptsAsked).containsExactly(0);
        }
    }
}
