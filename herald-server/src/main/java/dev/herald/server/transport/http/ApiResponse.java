package dev.herald.server.transport.http;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP answer: a status and either an object to serialize as JSON or raw bytes with their
 * content type.
 */
public record ApiResponse(HttpResponseStatus status, Object json, byte[] raw, String contentType) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(HttpResponseStatus.OK, body, null, null);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(HttpResponseStatus.CREATED, body, null, null);
    }

    public static ApiResponse status(HttpResponseStatus status, Object body) {
        return new ApiResponse(status, body, null, null);
    }

    public static ApiResponse raw(HttpResponseStatus status, String contentType, byte[] bytes) {
        return new ApiResponse(status, null, bytes, contentType);
    }

    public static ApiResponse text(String contentType, String text) {
        return raw(HttpResponseStatus.OK, contentType, text.getBytes(StandardCharsets.UTF_8));
    }
}
