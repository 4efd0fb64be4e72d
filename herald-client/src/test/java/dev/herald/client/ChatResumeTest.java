package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat socket across a lost connection, against a scripted server that shows exactly what
 * the client sends: it rejoins from the last message seq it saw, and sends the unacknowledged
 * message again with the same client_id; the ack completes the first send's future.
 */
class ChatResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String message(long id, long seq, String clientId, String content) {
        return "{\"id\":" + id + ",\"conversation_id\":7,\"seq\":" + seq + ",\"sender_id\":\"r-ann\",\"sender_name\":\"r-ann\","
                + "\"client_id\":" + (clientId == null ? "null" : "\"" + clientId + "\"") + ",\"message_type\":\"text_message\","
                + "\"content\":\"" + content + "\",\"created_at\":\"2026-12-07T09:00:00Z\"}";
    }

    @Test
    void aLostConnectionRejoinsFromTheLastSeqAndResendsTheUnacknowledgedMessageWithItsClientId() throws Exception {
        try (ScriptedWebSocketServer server = new ScriptedWebSocketServer();
             HeraldClient client = HeraldClient.builder().url(server.url()).token(Tokens.user("r-ann", Duration.ofHours(1)))
                     .backoff(attempt -> Duration.ofMillis(20)).build()) {
            List<Long> seqs = new CopyOnWriteArrayList<>();
            client.addChatListener(new ChatListener() {
                @Override
                public void onMessage(ChatMessage m) {
                    seqs.add(m.seq());
                }
            });
            CompletableFuture<Joined> joined = client.chat().join(7);

            ScriptedWebSocketServer.Connection first = server.next();
            assertThat(first.requestLine).startsWith("GET /ws/chat HTTP/1.1");
            first.sendText("{\"type\":\"connected\",\"connection_id\":\"c1\",\"user_id\":\"r-ann\"}");
            JsonNode join = JSON.readTree(first.nextOfType("join"));
            assertThat(join.path("conversation_id").asLong()).isEqualTo(7);
            assertThat(join.has("since")).isFalse();
            first.sendText("{\"type\":\"joined\",\"conversation_id\":7,\"seq\":2,\"last_read_seq\":2,\"unread_count\":0,\"ref\":\""
                    + join.path("ref").asText() + "\"}");
            assertThat(joined.get(5, TimeUnit.SECONDS).seq()).isEqualTo(2);
            first.sendText("{\"type\":\"message\"," + message(103, 3, null, "hello").substring(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 1);

            CompletableFuture<ChatMessage> sent = client.chat().send(7, "are you there?");
            String clientId = JSON.readTree(first.nextOfType("send_message")).path("client_id").asText();
            assertThat(clientId).isNotEmpty();
            first.drop(); // lost before Herald's ack

            ScriptedWebSocketServer.Connection second = server.next();
            second.sendText("{\"type\":\"connected\",\"connection_id\":\"c2\",\"user_id\":\"r-ann\"}");
            JsonNode rejoin = JSON.readTree(second.nextOfType("join"));
            assertThat(rejoin.path("since").asLong()).isEqualTo(3);
            JsonNode resent = JSON.readTree(second.nextOfType("send_message"));
            assertThat(resent.path("client_id").asText()).isEqualTo(clientId);
            assertThat(resent.path("content").asText()).isEqualTo("are you there?");
            assertThat(sent).isNotDone();

            second.sendText("{\"type\":\"joined\",\"conversation_id\":7,\"seq\":4,\"last_read_seq\":4,\"unread_count\":0,\"ref\":\""
                    + rejoin.path("ref").asText() + "\"}");
            // The first send was stored after all: Herald replays it (seq 4) and answers the retry with it.
            second.sendText("{\"type\":\"message\"," + message(104, 4, clientId, "are you there?").substring(1));
            second.sendText("{\"type\":\"ack\",\"client_id\":\"" + clientId + "\",\"replayed\":true,\"message\":"
                    + message(104, 4, clientId, "are you there?") + "}");
            assertThat(sent.get(5, TimeUnit.SECONDS).id()).isEqualTo(104);
            Thread.sleep(200); // bounded: a second copy would follow right behind
            assertThat(seqs).containsExactly(3L, 4L);
        }
    }
}
