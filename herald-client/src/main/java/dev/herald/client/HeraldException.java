package dev.herald.client;

import java.time.Duration;

/**
 * A failure reported by Herald or on the way to it. {@link #kind()} says what happened and so
 * what to do; {@link #status()} is the HTTP status when there was one, {@link #code()} the
 * protocol's error code or close code, {@link #field()} the invalid field Herald named.
 *
 * <p>Misuse of the API (a bad argument) is an {@link IllegalArgumentException} instead, thrown at
 * once. Immutable and thread-safe.
 */
public final class HeraldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, in terms of what the caller can do about it. */
    public enum Kind {
        /** 400, or an {@code invalid_frame} / {@code content_too_long} error frame: fix the request ({@link #field()}). */
        VALIDATION,
        /** 401 or an invalid token: a new token (or API key) is needed. */
        UNAUTHORIZED,
        /** 403 or close code 4003: the credential will never be allowed this; do not retry. */
        FORBIDDEN,
        /** 404: no such notification, conversation (or not a member), or endpoint. */
        NOT_FOUND,
        /** 409: an {@code Idempotency-Key} reused with a different body. */
        CONFLICT,
        /** 429 or {@code rate_limited}: slow down, retry later. */
        RATE_LIMITED,
        /** 503 or {@code unavailable}: the store or node is unavailable; retry later ({@link #retryAfter()}). */
        UNAVAILABLE,
        /** Another 5xx: a server bug or a proxy in between. */
        SERVER,
        /** Another 4xx (405, 413, 415, ...). */
        CLIENT,
        /** Close code 4009: the app backend disconnected the user; the client does not reconnect by itself. */
        DISCONNECTED,
        /** No answer: connection refused, reset, timed out, interrupted. */
        TRANSPORT,
        /** Herald did not acknowledge a chat send within the ack timeout. */
        TIMEOUT,
        /** The token provider threw or returned no token. */
        TOKEN_PROVIDER,
        /** The client was closed before the operation completed. */
        CLOSED
    }

    private final Kind kind;
    private final int status;
    private final String code;
    private final String field;
    private final Duration retryAfter;

    HeraldException(Kind kind, int status, String code, String field, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    static HeraldException of(Kind kind, String message) {
        return new HeraldException(kind, 0, null, null, null, message, null);
    }

    static HeraldException transport(String message, Throwable cause) {
        return new HeraldException(Kind.TRANSPORT, 0, null, null, null, message, cause);
    }

    /** An HTTP answer that was not 2xx: {@code error} and {@code field} from Herald's JSON body. */
    static HeraldException ofStatus(int status, String error, String field, Duration retryAfter) {
        String message = error == null || error.isEmpty() ? "HTTP " + status : error;
        return new HeraldException(kindOfStatus(status), status, Integer.toString(status), field, retryAfter,
                message + " (HTTP " + status + ")", null);
    }

    /** An {@code error} frame of a socket: {@code code} as documented in protocol.md / chat-protocol.md. */
    static HeraldException ofErrorFrame(String code, String message, String field) {
        return new HeraldException(kindOfCode(code), 0, code, field, null, code + ": " + message, null);
    }

    static Kind kindOfStatus(int status) {
        switch (status) {
            case 400: return Kind.VALIDATION;
            case 401: return Kind.UNAUTHORIZED;
            case 403: return Kind.FORBIDDEN;
            case 404: return Kind.NOT_FOUND;
            case 409: return Kind.CONFLICT;
            case 429: return Kind.RATE_LIMITED;
            case 503: return Kind.UNAVAILABLE;
            default: return status >= 500 ? Kind.SERVER : Kind.CLIENT;
        }
    }

    static Kind kindOfCode(String code) {
        if (code == null) {
            return Kind.SERVER;
        }
        switch (code) {
            case "invalid_frame": case "malformed_json": case "unknown_type": case "unsupported_frame": case "content_too_long":
                return Kind.VALIDATION;
            case "invalid_token": case "token_expired": case "token_user_mismatch":
                return Kind.UNAUTHORIZED;
            case "conversation_not_found": case "message_not_found": case "not_found":
                return Kind.NOT_FOUND;
            case "rate_limited":
                return Kind.RATE_LIMITED;
            case "unavailable":
                return Kind.UNAVAILABLE;
            default:
                return Kind.SERVER;
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }

    /** The protocol's error code ({@code conversation_not_found}, ...), the HTTP status or close code as text; may be null. */
    public String code() {
        return code;
    }

    /** The field Herald named as invalid ({@code to.user}, {@code content}, ...), or null. */
    public String field() {
        return field;
    }

    /** How long Herald asked to wait ({@code Retry-After}), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
