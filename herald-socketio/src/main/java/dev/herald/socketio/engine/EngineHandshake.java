package dev.herald.socketio.engine;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieEncoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the HTTP request that opened an Engine.IO session carried: path, decoded query, the
 * headers kept from it ({@link EngineIoConfig#handshakeHeaders()}, not all of them) and the peer
 * address. Immutable.
 */
public record EngineHandshake(String path, Map<String, List<String>> query, HttpHeaders headers,
                              SocketAddress remoteAddress) {

    public EngineHandshake {
        query = Map.copyOf(query);
    }

    /**
     * The handshake of a request, keeping only the configured headers (and, of the Cookie header,
     * only the configured cookies): the request's other headers are not referenced afterwards.
     */
    static EngineHandshake of(String path, Map<String, List<String>> query, HttpHeaders requestHeaders,
                              SocketAddress remoteAddress, EngineIoConfig config) {
        return new EngineHandshake(path, query,
                keep(requestHeaders, config.handshakeHeaders(), config.handshakeCookies()), remoteAddress);
    }

    static HttpHeaders keep(HttpHeaders in, Set<String> names, Set<String> cookies) {
        HttpHeaders out = new DefaultHttpHeaders();
        for (String name : names) {
            boolean filterCookies = !cookies.isEmpty() && HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name);
            for (String value : in.getAll(name)) {
                String kept = filterCookies ? onlyCookies(value, cookies) : value;
                if (kept != null) {
                    out.add(name, kept);
                }
            }
        }
        return out;
    }

    private static String onlyCookies(String header, Set<String> names) {
        List<Cookie> kept = new ArrayList<>();
        for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
            if (names.contains(c.name())) {
                kept.add(c);
            }
        }
        return kept.isEmpty() ? null : ClientCookieEncoder.LAX.encode(kept);
    }

    /**
     * What this handshake holds, in characters: the kept headers' names and values, the query's
     * names and values, and the path. What {@link EngineIoConfig#maxHandshakeBytes()} and
     * {@link EngineIoConfig#maxPendingBytes()} count.
     */
    public long size() {
        long n = path.length();
        for (Map.Entry<String, String> h : headers) {
            n += h.getKey().length() + h.getValue().length();
        }
        for (Map.Entry<String, List<String>> q : query.entrySet()) {
            n += q.getKey().length();
            for (String v : q.getValue()) {
                n += v.length();
            }
        }
        return n;
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
