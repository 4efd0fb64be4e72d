package dev.herald.server.transport.http;

import dev.herald.server.transport.OriginPolicy;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * CORS headers of the HTTP API for browser apps served from another origin (story 1's polling
 * fallback), as the {@link OriginPolicy} allows: credentials only for origins listed by name,
 * none for origins covered only by {@code *}, no headers at all for others. Stateless.
 */
public final class Cors {
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-API-Key";
    private static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";

    private Cors() {
    }

    static boolean isPreflight(FullHttpRequest request) {
        return request.method().equals(HttpMethod.OPTIONS)
                && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** The answer to a preflight: 204, with permissions only for an allowed origin. */
    static FullHttpResponse preflight(FullHttpRequest request, OriginPolicy.Trust trust) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        String origin = OriginPolicy.corsOrigin(trust, request.headers());
        if (origin != null) {
            decorate(response.headers(), origin, OriginPolicy.corsWithCredentials(trust));
            response.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS)
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }

    /** Adds the CORS answer headers for {@code origin}; nothing when it is null. */
    public static void decorate(HttpHeaders headers, String origin, boolean credentials) {
        if (origin == null) {
            return;
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin).add(HttpHeaderNames.VARY, "Origin");
        if (credentials) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }
}
