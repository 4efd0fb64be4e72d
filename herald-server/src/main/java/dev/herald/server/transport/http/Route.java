package dev.herald.server.transport.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.Map;

/**
 * One row of the route table: method, path pattern with {@code {name}} segments, who may call
 * it, and the handler. Immutable.
 */
public record Route(HttpMethod method, String pattern, Access access, Handler handler) {

    /** Who may call a route. */
    public enum Access {
        /** Anyone (health, metrics, docs). */
        PUBLIC,
        /** End users with a JWT. */
        USER,
        /** App backends with an API key. */
        API_KEY
    }

    /** Handles a request; runs on a virtual thread and may block. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    public static Route get(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.GET, pattern, access, handler);
    }

    public static Route post(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.POST, pattern, access, handler);
    }

    public static Route delete(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.DELETE, pattern, access, handler);
    }

    /** The path parameters when {@code path} matches the pattern, else null. */
    Map<String, String> match(String path) {
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < want.length; i++) {
            String w = want[i];
            if (w.startsWith("{") && w.endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>();
                }
                params.put(w.substring(1, w.length() - 1), got[i]);
            } else if (!w.equals(got[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }
}
