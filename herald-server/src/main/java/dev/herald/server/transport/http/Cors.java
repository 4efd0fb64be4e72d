package dev.herald.server.transport.http;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;

/**
 * Cross-origin access to the HTTP API for browser apps served from another origin (story 1's
 * polling fallback). Off unless origins are configured. Immutable.
 */
final class Cors {
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-API-Key";
    private static final String ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";

    private final List<String> origins;
    private final boolean any;

    Cors(List<String> origins) {
        this.origins = origins;
        this.any = origins.contains("*");
    }

    /** The request's origin when it may read the answer, else null. */
    String allowedOrigin(HttpHeaders headers) {
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null || origins.isEmpty()) {
            return null;
        }
        return any || origins.contains(origin) ? origin : null;
    }

    static boolean isPreflight(FullHttpRequest request) {
        return request.method().equals(HttpMethod.OPTIONS)
                && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** The answer to a preflight: 204, with permissions only for an allowed origin. */
    FullHttpResponse preflight(FullHttpRequest request) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        String origin = allowedOrigin(request.headers());
        if (origin != null) {
            decorate(response.headers(), origin);
            response.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS)
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }

    static void decorate(HttpHeaders headers, String origin) {
        if (origin == null) {
            return;
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
                .add(HttpHeaderNames.VARY, "Origin");
    }
}
