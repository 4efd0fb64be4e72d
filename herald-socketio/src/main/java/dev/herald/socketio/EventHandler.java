package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Handles one event sent by a client ({@code socket.on(event, handler)}).
 *
 * <p>Threading: called on the connection's event loop; must not block (hand slow work to an
 * executor and answer through {@code ack} or {@code socket.emit} later, from any thread).
 * Exceptions are logged; the connection stays open.
 */
@FunctionalInterface
public interface EventHandler {
    /**
     * @param socket the sending socket
     * @param args   the event's arguments (without the event name); binary arrives as
     *               {@link com.fasterxml.jackson.databind.node.BinaryNode}
     * @param ack    the client's acknowledgement callback, or {@code null} if it asked for none
     */
    void onEvent(SocketIoSocket socket, List<JsonNode> args, Ack ack);
}
