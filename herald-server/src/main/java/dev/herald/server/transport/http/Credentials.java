package dev.herald.server.transport.http;

import dev.herald.server.transport.OriginPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

import java.util.List;
import java.util.Map;

/**
 * Where a request carries its credentials. Pure functions over headers and query.
 * A client JWT may come as {@code Authorization: Bearer}, the {@code access_token} query
 * parameter (browsers cannot set headers on a WebSocket) or a cookie; an API key only as
 * {@code Authorization: Bearer} or {@code X-API-Key}.
 */
public final class Credentials {
    private Credentials() {
    }

    /** The bearer token of the Authorization header, or null. */
    public static String bearer(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (value == null) {
            return null;
        }
        value = value.strip();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = value.substring(7).strip();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    /**
     * A client's JWT and where it came from. A cookie is sent by the browser on its own (an
     * ambient credential), so its use is subject to {@link OriginPolicy#checkCookieUse}.
     */
    public record UserToken(String token, boolean fromCookie) {
    }

    /** A client's JWT from the header, the query or the named cookie, in that order; or null. */
    public static String userToken(HttpHeaders headers, Map<String, List<String>> query, String cookieName) {
        UserToken found = userCredential(headers, query, cookieName);
        return found == null ? null : found.token();
    }

    /** As {@link #userToken}, saying whether the token came from the cookie; or null. */
    public static UserToken userCredential(HttpHeaders headers, Map<String, List<String>> query, String cookieName) {
        String token = bearer(headers);
        if (token != null) {
            return new UserToken(token, false);
        }
        List<String> fromQuery = query.get("access_token");
        if (fromQuery != null && !fromQuery.isEmpty() && !fromQuery.get(0).isBlank()) {
            return new UserToken(fromQuery.get(0), false);
        }
        String cookie = cookie(headers, cookieName);
        return cookie == null ? null : new UserToken(cookie, true);
    }

    /** The value of the named cookie, or null. */
    public static String cookie(HttpHeaders headers, String cookieName) {
        String cookieHeader = headers.get(HttpHeaderNames.COOKIE);
        if (cookieHeader != null) {
            for (Cookie cookie : ServerCookieDecoder.LAX.decode(cookieHeader)) {
                if (cookie.name().equals(cookieName) && !cookie.value().isBlank()) {
                    return cookie.value();
                }
            }
        }
        return null;
    }

    /** An app backend's API key, or null. */
    public static String apiKey(HttpHeaders headers) {
        String token = bearer(headers);
        if (token != null) {
            return token;
        }
        String key = headers.get("X-API-Key");
        return key == null || key.isBlank() ? null : key.strip();
    }
}
