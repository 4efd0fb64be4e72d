package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A broadcast target: a namespace narrowed to some rooms ({@code to}) and without others
 * ({@code except}), as in Socket.IO's {@code io.to("room").except("other").emit(...)}.
 *
 * <p>Immutable and thread-safe; {@link #emit} may be called from any thread. The packet is
 * encoded once and the same bytes are written to every member. With connection state recovery
 * on, the packet gets an offset as its last argument and is kept for replay.
 */
public final class BroadcastOperator {
    private final SocketIoNamespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;

    BroadcastOperator(SocketIoNamespace namespace, Set<String> rooms, Set<String> except) {
        this.namespace = namespace;
        this.rooms = Set.copyOf(rooms);
        this.except = Set.copyOf(except);
    }

    /** Also targets these rooms (union). */
    public BroadcastOperator to(String... more) {
        Set<String> r = new HashSet<>(rooms);
        Collections.addAll(r, more);
        return new BroadcastOperator(namespace, r, except);
    }

    /** Leaves out members of these rooms. */
    public BroadcastOperator except(String... more) {
        Set<String> e = new HashSet<>(except);
        Collections.addAll(e, more);
        return new BroadcastOperator(namespace, rooms, e);
    }

    /** The sockets this broadcast reaches right now. */
    public Set<SocketIoSocket> targets() {
        Set<SocketIoSocket> out = new LinkedHashSet<>();
        if (rooms.isEmpty()) {
            out.addAll(namespace.sockets());
        } else {
            for (String r : rooms) {
                out.addAll(namespace.members(r));
            }
        }
        for (String r : except) {
            namespace.members(r).forEach(out::remove);
        }
        return out;
    }

    /**
     * Sends an event to every target. Arguments are converted with Jackson ({@code byte[]} become
     * binary attachments). Acknowledgements are not supported for broadcasts.
     *
     * @return how many sockets it was written to
     */
    public int emit(String event, Object... args) {
        if (event == null || SocketIoCodec.RESERVED_EVENTS.contains(event)) {
            throw new IllegalArgumentException("event is reserved or null: " + event);
        }
        ArrayNode data = JsonNodeFactory.instance.arrayNode();
        data.add(event);
        for (Object a : args) {
            data.add(SocketIoCodec.toNode(a));
        }
        RecoveryLog log = namespace.recovery();
        EncodedPacket packet;
        if (log != null) {
            packet = log.append(rooms, except,
                    seq -> encode(data.deepCopy().add(TextNode.valueOf(log.offset(seq))), seq));
        } else {
            packet = encode(data, 0);
        }
        Set<SocketIoSocket> targets = targets();
        for (SocketIoSocket s : targets) {
            s.sendEncoded(packet);
        }
        return targets.size();
    }

    private EncodedPacket encode(JsonNode data, long seq) {
        SocketIoCodec.Encoded e = SocketIoCodec.encode(
                new SocketIoPacket(SocketIoPacketType.EVENT, namespace.name(), null, data));
        return EncodedPacket.of(e.text(), e.attachments(), seq);
    }

    List<String> rooms() {
        return List.copyOf(rooms);
    }
}
