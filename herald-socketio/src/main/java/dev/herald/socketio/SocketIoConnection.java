package dev.herald.socketio;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.socketio.engine.EngineSession;
import dev.herald.socketio.engine.EngineSessionListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO side of one Engine.IO session: decodes packets, routes them to the socket of
 * their namespace, enforces the connect timeout, and closes the session on invalid input.
 * Everything here runs on the session's event loop, except {@link #send} (any thread).
 */
final class SocketIoConnection implements EngineSessionListener {
    private static final Logger log = LoggerFactory.getLogger(SocketIoConnection.class);

    private final SocketIoServer server;
    private final EngineSession session;
    private final SocketIoDecoder decoder = new SocketIoDecoder();
    private final Map<String, SocketIoSocket> sockets = new HashMap<>();
    private final Set<String> connecting = new HashSet<>();
    private ScheduledFuture<?> connectTimer;
    private boolean closed;

    SocketIoConnection(SocketIoServer server, EngineSession session) {
        this.server = server;
        this.session = session;
    }

    EngineSession session() {
        return session;
    }

    boolean isClosed() {
        return closed;
    }

    void start() {
        connectTimer = session.eventLoop().schedule(() -> {
            if (sockets.isEmpty() && !closed) {
                log.debug("socket.io session {} joined no namespace in time; closing", session.id());
                session.close();
            }
        }, server.config().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void send(EncodedPacket p) {
        session.send(p.enginePackets());
    }

    void sendPacket(SocketIoPacket p) {
        SocketIoCodec.Encoded e = SocketIoCodec.encode(p);
        send(EncodedPacket.of(e.text(), e.attachments()));
    }

    void connecting(String nsp, boolean on) {
        if (on) {
            connecting.add(nsp);
        } else {
            connecting.remove(nsp);
        }
    }

    void register(String nsp, SocketIoSocket s) {
        sockets.put(nsp, s);
        // A socket passed a namespace's middlewares: the session is no longer anonymous.
        session.admit();
        if (connectTimer != null) {
            connectTimer.cancel(false);
            connectTimer = null;
        }
    }

    void unregister(String nsp, SocketIoSocket s) {
        sockets.remove(nsp, s);
    }

    @Override
    public void onMessage(EngineSession s, String text) {
        SocketIoPacket p;
        try {
            p = decoder.add(text);
        } catch (SocketIoDecodeException e) {
            invalid(e);
            return;
        }
        if (p != null) {
            onPacket(p);
        }
    }

    @Override
    public void onBinary(EngineSession s, byte[] data) {
        SocketIoPacket p;
        try {
            p = decoder.addBinary(data);
        } catch (SocketIoDecodeException e) {
            invalid(e);
            return;
        }
        if (p != null) {
            onPacket(p);
        }
    }

    private void invalid(SocketIoDecodeException e) {
        log.debug("socket.io session {} sent an invalid packet ({}); closing", session.id(), e.getMessage());
        closeSockets("parse error");
        session.close();
    }

    private void onPacket(SocketIoPacket p) {
        SocketIoSocket socket = sockets.get(p.namespace());
        switch (p.type()) {
            case CONNECT -> {
                if (socket != null || connecting.contains(p.namespace())) {
                    return;
                }
                SocketIoNamespace nsp = server.find(p.namespace());
                if (nsp == null) {
                    sendPacket(new SocketIoPacket(SocketIoPacketType.CONNECT_ERROR, p.namespace(), null,
                            JsonNodeFactory.instance.objectNode().put("message", "Invalid namespace")));
                } else {
                    nsp.connect(this, p.data());
                }
            }
            case DISCONNECT -> {
                if (socket != null) {
                    socket.onClose("client namespace disconnect");
                }
            }
            case EVENT, BINARY_EVENT -> {
                if (socket != null) {
                    socket.onEvent(p);
                }
            }
            case ACK, BINARY_ACK -> {
                if (socket != null) {
                    socket.onAck(p);
                }
            }
            case CONNECT_ERROR -> invalid(new SocketIoDecodeException("CONNECT_ERROR from a client"));
        }
    }

    @Override
    public void onClose(EngineSession s, String reason) {
        closeSockets(reason);
    }

    void closeSockets(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        for (SocketIoSocket socket : new ArrayList<>(sockets.values())) {
            socket.onClose(reason);
        }
    }
}
