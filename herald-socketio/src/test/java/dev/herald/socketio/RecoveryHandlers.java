package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;

/**
 * Test handlers for connection state recovery: {@code join} a room (acked), and {@code broadcast}
 * {@code {room, values, delayMs}}: acked at once, then each value is broadcast as {@code news} to
 * the room after the delay (so a client can be away meanwhile).
 */
final class RecoveryHandlers {
    private RecoveryHandlers() {
    }

    static void install(SocketIoNamespace nsp) {
        nsp.onConnection(socket -> {
            socket.on("join", (s, args, ack) -> {
                s.join(args.get(0).asText());
                if (ack != null) {
                    ack.send("joined");
                }
            });
            socket.on("broadcast", (s, args, ack) -> {
                JsonNode req = args.get(0);
                String room = req.get("room").asText();
                if (ack != null) {
                    ack.send("scheduled");
                }
                s.eventLoop().schedule(() -> {
                    for (JsonNode v : req.get("values")) {
                        nsp.to(room).emit("news", v);
                    }
                }, req.path("delayMs").asLong(), TimeUnit.MILLISECONDS);
            });
        });
    }
}
