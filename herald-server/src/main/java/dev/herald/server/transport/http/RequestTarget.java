package dev.herald.server.transport.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A request's URI decoded: its path and query parameters, percent-escapes resolved. The router
 * ({@link HttpRequestHandler}) decodes each request's URI once, answers 400 when it does not
 * decode, and hands this to the endpoints and routes, which never decode it again. Read-only;
 * safe to share between threads once made.
 *
 * @param query parameter name to its values in order; empty when there is no query
 */
public record RequestTarget(String path, Map<String, List<String>> query) {

    /**
     * Decodes a request URI.
     *
     * @throws IllegalArgumentException when it holds a bad percent-escape
     */
    public static RequestTarget decode(String uri) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        return new RequestTarget(decoder.path(), Collections.unmodifiableMap(decoder.parameters()));
    }

    /** The first value of a query parameter, or null. */
    public String first(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
