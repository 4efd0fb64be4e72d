package dev.herald.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * An event whose name and arguments are encoded once, for many sockets
 * ({@link SocketIoSocket#emit(PreparedEvent)}): each socket's packet then only adds its namespace
 * and recovery offset to the shared text, instead of encoding the arguments again. This is what
 * a server delivering one event to thousands of sockets one by one wants (with recovery on,
 * every packet a socket gets carries an offset of its own, so the packets cannot be shared whole
 * as a room broadcast's are).
 *
 * <p>Arguments as for {@link SocketIoSocket#emit(String, Object...)}, except binary ones, which
 * would need attachments per packet: {@link #of} refuses them.
 *
 * <p>Immutable and thread-safe.
 */
public final class PreparedEvent {
    private final String name;
    /** {@code ["name",arg,...}: the event's JSON array without its closing bracket. */
    private final String head;

    private PreparedEvent(String name, String head) {
        this.name = name;
        this.head = head;
    }

    /**
     * Encodes {@code event} with {@code args}.
     *
     * @throws IllegalArgumentException if the name is null or reserved, or an argument is binary
     */
    public static PreparedEvent of(String event, Object... args) {
        ArrayNode data = SocketIoSocket.eventArguments(event, args);
        if (SocketIoCodec.hasBinary(data)) {
            throw new IllegalArgumentException("event '" + event + "' has a binary argument, which cannot be"
                    + " prepared: emit it with emit(String, Object...)");
        }
        StringBuilder sb = new StringBuilder();
        SocketIoCodec.appendJson(sb, data);
        sb.setLength(sb.length() - 1); // the closing bracket: the offset, if any, goes before it
        return new PreparedEvent(event, sb.toString());
    }

    public String name() {
        return name;
    }

    String head() {
        return head;
    }

    @Override
    public String toString() {
        return "PreparedEvent[" + name + ", " + head.length() + " chars]";
    }
}
