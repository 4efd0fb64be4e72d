package dev.herald.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client presented when it connected to a namespace: the CONNECT packet's auth payload
 * ({@code {}} when none; the recovery fields {@code pid}/{@code offset} removed), and the query,
 * headers, cookies and address of the HTTP request that opened the Engine.IO session.
 * Immutable; safe to read from any thread.
 */
public record SocketIoHandshake(JsonNode auth, Map<String, List<String>> query, HttpHeaders headers,
                                SocketAddress address, Instant time) {

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A header value, or {@code null}. */
    public String header(String name) {
        return headers.get(name);
    }

    /** Cookies sent with the opening request, by name (first wins). */
    public Map<String, String> cookies() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String h : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(h)) {
                out.putIfAbsent(c.name(), c.value());
            }
        }
        return out;
    }
}
