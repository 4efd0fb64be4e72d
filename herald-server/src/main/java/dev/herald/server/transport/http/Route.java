package dev.herald.server.transport.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One row of the route table: method, path pattern with {@code {name}} segments, who may call
 * it, and the handler: a {@link Handler} that runs on a virtual thread and may block, or a
 * {@link LoopHandler} that runs on the connection's event loop and answers later (exactly one of
 * the two is set). Immutable.
 */
public record Route(HttpMethod method, String pattern, Access access, Handler handler, LoopHandler onLoop) {

    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(access, "access");
        if ((handler == null) == (onLoop == null)) {
            throw new IllegalArgumentException("handler, onLoop: exactly one must be given");
        }
        if (onLoop != null && access == Access.USER) {
            // A user token may need a JWKS fetch, which blocks: never on a loop.
            throw new IllegalArgumentException("access: a loop route is PUBLIC or API_KEY, not USER");
        }
    }

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

    /**
     * Handles a request on the connection's event loop, for the hot paths where a hand-off to a
     * virtual thread costs more than the work: it must not block (no JDBC, no waiting on a
     * future). It checks the request at once (throwing as a {@link Handler} would) and returns a
     * stage that completes with the answer, or fails with what a {@link Handler} would throw,
     * from any thread; whatever runs after the store should run on {@code loop}, the
     * connection's event loop, where the answer is written, and timeouts are best timed there.
     */
    @FunctionalInterface
    public interface LoopHandler {
        CompletionStage<ApiResponse> handle(ApiRequest request, ScheduledExecutorService loop) throws Exception;
    }

    public static Route get(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.GET, pattern, access, handler, null);
    }

    public static Route post(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.POST, pattern, access, handler, null);
    }

    public static Route put(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.PUT, pattern, access, handler, null);
    }

    public static Route delete(String pattern, Access access, Handler handler) {
        return new Route(HttpMethod.DELETE, pattern, access, handler, null);
    }

    /** A POST route served on the event loop; {@code access} is PUBLIC or API_KEY. */
    public static Route postOnLoop(String pattern, Access access, LoopHandler handler) {
        return new Route(HttpMethod.POST, pattern, access, null, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * The path parameters when {@code path} matches the pattern, else null. Walks both strings
     * segment by segment: the router tries every route on every request, so this allocates only
     * for the parameters of the route that matches.
     */
    Map<String, String> match(String path) {
        Map<String, String> params = null;
        int p = 0;
        int q = 0;
        while (true) {
            int pEnd = pattern.indexOf('/', p);
            int qEnd = path.indexOf('/', q);
            if (pEnd < 0) {
                pEnd = pattern.length();
            }
            if (qEnd < 0) {
                qEnd = path.length();
            }
            int pLen = pEnd - p;
            if (pLen >= 2 && pattern.charAt(p) == '{' && pattern.charAt(pEnd - 1) == '}') {
                if (qEnd == q) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>();
                }
                params.put(pattern.substring(p + 1, pEnd - 1), path.substring(q, qEnd));
            } else if (pLen != qEnd - q || !pattern.regionMatches(p, path, q, pLen)) {
                return null;
            }
            boolean patternDone = pEnd == pattern.length();
            boolean pathDone = qEnd == path.length();
            if (patternDone || pathDone) {
                if (patternDone != pathDone) {
                    return null;
                }
                return params == null ? Map.of() : params;
            }
            p = pEnd + 1;
            q = qEnd + 1;
        }
    }
}
