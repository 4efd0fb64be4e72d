package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Java client (io.socket:socket.io-client 2.x) in-process against the conformance
 * server: auth payload, events, acks, binary, namespaces, refused namespace, polling with upgrade.
 */
class JavaClientCompatTest {
    private static ConformanceServer server;
    private Socket socket;

    @BeforeAll
    static void start() throws Exception {
        server = ConformanceServer.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void disconnect() {
        if (socket != null) {
            socket.close();
        }
    }

    private Socket connect(String nsp, String[] transports, Map<String, String> auth) {
        IO.Options o = IO.Options.builder().setTransports(transports).setReconnection(false).setForceNew(true)
                .setAuth(auth).build();
        return IO.socket(URI.create("http://127.0.0.1:" + server.port() + nsp), o);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void javaClientConnectsWithAuthAndExchangesEventsAndAcksOverWebSocket() throws Exception {
        socket = connect("/", new String[] {"websocket"}, Map.of("token", "abc"));
        CompletableFuture<Object> auth = new CompletableFuture<>();
        socket.on("auth", args -> auth.complete(args[0]));
        socket.connect();
        assertThat(await(auth).toString()).isEqualTo("{\"token\":\"abc\"}");

        CompletableFuture<Object[]> back = new CompletableFuture<>();
        socket.once("message-back", back::complete);
        socket.emit("message", 1, "2", new JSONObject().put("3", new JSONArray().put(true)));
        Object[] args = await(back);
        assertThat(args[0]).isEqualTo(1);
        assertThat(args[1]).isEqualTo("2");
        assertThat(args[2].toString()).isEqualTo("{\"3\":[true]}");

        CompletableFuture<Object[]> acked = new CompletableFuture<>();
        socket.emit("message-with-ack", new Object[] {"x", 42}, (Ack) acked::complete);
        assertThat(await(acked)).containsExactly("x", 42);
    }

    @Test
    void javaClientSendsAndReceivesBinaryAttachments() throws Exception {
        socket = connect("/", new String[] {"websocket"}, Map.of());
        CompletableFuture<Object[]> back = new CompletableFuture<>();
        socket.once("message-back", back::complete);
        socket.connect();
        socket.emit("message", new byte[] {1, 2, 3}, new JSONObject().put("b", new byte[] {4, 5}));
        Object[] args = await(back);
        assertThat((byte[]) args[0]).containsExactly(1, 2, 3);
        assertThat((byte[]) ((JSONObject) args[1]).get("b")).containsExactly(4, 5);
    }

    @Test
    void javaClientJoinsACustomNamespaceAndIsRefusedAnUnknownOne() throws Exception {
        socket = connect("/custom", new String[] {"websocket"}, Map.of("ns", "custom"));
        CompletableFuture<Object> auth = new CompletableFuture<>();
        socket.on("auth", a -> auth.complete(a[0]));
        socket.connect();
        assertThat(await(auth).toString()).isEqualTo("{\"ns\":\"custom\"}");

        Socket unknown = connect("/random", new String[] {"websocket"}, Map.of());
        try {
            CompletableFuture<Object> error = new CompletableFuture<>();
            unknown.on(Socket.EVENT_CONNECT_ERROR, a -> error.complete(a[0]));
            unknown.connect();
            assertThat(((JSONObject) await(error)).getString("message")).isEqualTo("Invalid namespace");
        } finally {
            unknown.close();
        }
    }

    @Test
    void javaClientStartsOnPollingAndUpgradesToWebSocket() throws Exception {
        socket = connect("/", new String[] {"polling", "websocket"}, Map.of());
        CompletableFuture<Object> auth = new CompletableFuture<>();
        socket.on("auth", a -> auth.complete(a[0]));
        socket.connect();
        await(auth);
        SocketIoSocket serverSide = server.socketIo().sockets().socket(socket.id()).orElseThrow();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> serverSide.eventLoop().submit(serverSide::transport).get(), "websocket"::equals);
        CompletableFuture<Object[]> back = new CompletableFuture<>();
        socket.once("message-back", back::complete);
        socket.emit("message", "after upgrade");
        assertThat(await(back)).containsExactly("after upgrade");
    }
}
