package dev.herald.server.transport.socketio.engine;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP request that opened an Engine.IO session carried: path, decoded query, a copy of
 * the headers and the peer address. Immutable.
 */
public record EngineHandshake(String path, Map<String, List<String>> query, HttpHeaders headers,
                              SocketAddress remoteAddress) {

    public EngineHandshake {
        query = Map.copyOf(query);
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
