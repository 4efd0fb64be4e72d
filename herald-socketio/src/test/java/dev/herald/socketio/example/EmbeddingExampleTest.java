package dev.herald.socketio.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's embedding example ({@link ChatServer}) works as described, against the official
 * Java client: the middleware refuses a client without a name, admits one with a name, and
 * "join" is acknowledged and broadcast to the room, over WebSocket and over polling.
 */
class EmbeddingExampleTest {
    private ChatServer server;
    private Socket socket;

    @BeforeEach
    void start() throws Exception {
        server = ChatServer.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }

    private Socket connect(String[] transports, Map<String, String> auth) {
        IO.Options o = IO.Options.builder().setTransports(transports).setReconnection(false).setForceNew(true)
                .setAuth(auth).build();
        return IO.socket(URI.create("http://127.0.0.1:" + server.port() + "/chat"), o);
    }

    @Test
    void joinIsAcknowledgedAndBroadcastToTheRoomOverWebSocket() throws Exception {
        joinRoundTrip(new String[] {"websocket"});
    }

    @Test
    void joinIsAcknowledgedAndBroadcastToTheRoomOverPolling() throws Exception {
        joinRoundTrip(new String[] {"polling"});
    }

    private void joinRoundTrip(String[] transports) throws Exception {
        socket = connect(transports, Map.of("name", "ada"));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture<Object[]> joined = new CompletableFuture<>();
        socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
        socket.on("joined", joined::complete);
        socket.connect();
        connected.get(10, TimeUnit.SECONDS);

        CompletableFuture<Object[]> acked = new CompletableFuture<>();
        socket.emit("join", new Object[] {"kitchen"}, (Ack) acked::complete);
        assertThat(acked.get(10, TimeUnit.SECONDS)).containsExactly("kitchen", 1);
        assertThat(joined.get(10, TimeUnit.SECONDS)).containsExactly("ada", "kitchen");
    }

    @Test
    void theMiddlewareRefusesAClientWithoutAName() throws Exception {
        socket = connect(new String[] {"websocket"}, Map.of());
        CompletableFuture<Object> error = new CompletableFuture<>();
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> error.complete(args[0]));
        socket.connect();
        Object e = error.get(10, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(JSONObject.class);
        assertThat(((JSONObject) e).getString("message")).isEqualTo("name required");
    }
}
