package dev.herald.server.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one origin policy of every entry point (HTTP API, WebSocket upgrades, Socket.IO, SSE,
 * pages), so that a page on another origin cannot act as a signed-in user:
 *
 * <ul>
 *   <li>A request without {@code Origin} is not from a browser page (or is a same-origin
 *       navigation): origin rules do not apply to it.</li>
 *   <li>Herald's own origin (the {@code Origin} whose host and port are the request's
 *       {@code Host}) and the origins listed in {@code --cors-origins} are trusted: they may use
 *       every entry point, with a cookie, and read API answers (CORS with credentials).</li>
 *   <li>With {@code *} in the list any other origin may connect and call the API, but only with a
 *       token it holds itself ({@code Authorization}, {@code access_token}, Socket.IO
 *       {@code auth.token}): its requests never count the user's cookie, and its CORS answers
 *       carry no {@code Access-Control-Allow-Credentials}. {@code Origin: null} (sandboxed
 *       frames, file pages) is never covered by {@code *}.</li>
 *   <li>Any other origin is refused with 403 at every entry point.</li>
 *   <li>A state-changing request authenticated by the cookie must come from a trusted origin,
 *       or carry no {@code Origin} and no cross-site {@code Sec-Fetch-Site} (a non-browser
 *       client), and send its body as {@code application/json}: the CSRF defence.</li>
 * </ul>
 *
 * <p>Behind a reverse proxy the proxy must pass the original {@code Host} header, or the public
 * origin must be listed. Immutable and thread-safe.
 */
public final class OriginPolicy {
    /** How far a request's origin is trusted. */
    public enum Trust {
        /** No {@code Origin} header: not a cross-origin browser request. */
        NO_ORIGIN,
        /** Herald's own origin. */
        SAME,
        /** Listed by name in {@code --cors-origins}. */
        LISTED,
        /** Covered only by {@code *}: may use tokens, never the cookie. */
        ANY,
        /** Not allowed at all. */
        FOREIGN;

        /** Whether requests from this origin are served at all. */
        public boolean allowed() {
            return this != FOREIGN;
        }

        /** Whether the user's cookie counts as a credential for requests from this origin. */
        public boolean mayUseCookie() {
            return this == NO_ORIGIN || this == SAME || this == LISTED;
        }
    }

    private final Set<String> listed;
    private final boolean any;

    /** @param origins configured origins ({@code scheme://host[:port]}) and/or {@code *} */
    public OriginPolicy(List<String> origins) {
        Set<String> set = new LinkedHashSet<>();
        boolean star = false;
        for (String o : origins) {
            if (o.equals("*")) {
                star = true;
            } else {
                set.add(normalize(o));
            }
        }
        this.listed = Set.copyOf(set);
        this.any = star;
    }

    /** Judges the request's {@code Origin} against its {@code Host} and the configured list. */
    public Trust judge(HttpHeaders headers) {
        return judge(headers.get(HttpHeaderNames.ORIGIN), headers.get(HttpHeaderNames.HOST));
    }

    /** As {@link #judge(HttpHeaders)}, from the two header values (either may be null). */
    public Trust judge(String origin, String host) {
        if (origin == null) {
            return Trust.NO_ORIGIN;
        }
        String o = normalize(origin);
        if (host != null && o.equals(sameOriginFor(o, host))) {
            return Trust.SAME;
        }
        if (listed.contains(o)) {
            return Trust.LISTED;
        }
        if (any && !o.equals("null") && o.contains("://")) {
            return Trust.ANY;
        }
        return Trust.FOREIGN;
    }

    /**
     * The value of {@code Access-Control-Allow-Origin} for this request, or null for none (same
     * origin needs none; a foreign one gets none). Credentials are allowed only for
     * {@link Trust#LISTED}: see {@link #corsWithCredentials}.
     */
    public static String corsOrigin(Trust trust, HttpHeaders headers) {
        return trust == Trust.LISTED || trust == Trust.ANY ? headers.get(HttpHeaderNames.ORIGIN) : null;
    }

    public static boolean corsWithCredentials(Trust trust) {
        return trust == Trust.LISTED;
    }

    /**
     * The CSRF rule for a request authenticated by the user's cookie.
     *
     * @throws ApiException 403 when the cookie may not be used from this origin, or for a
     *                      state-changing request that is not plainly same-site; 415 for a
     *                      cookie-authenticated body that is not JSON
     */
    public static void checkCookieUse(Trust trust, HttpMethod method, HttpHeaders headers) {
        if (!trust.mayUseCookie()) {
            throw ApiException.forbidden("the session cookie is not accepted from origin "
                    + headers.get(HttpHeaderNames.ORIGIN) + "; send the token in Authorization: Bearer or access_token");
        }
        if (isSafe(method)) {
            return;
        }
        if (trust == Trust.NO_ORIGIN) {
            String site = headers.get("Sec-Fetch-Site");
            if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
                throw ApiException.forbidden("a cross-site request may not use the session cookie to change anything");
            }
        }
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        long length = headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (length > 0 && (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json"))) {
            throw new ApiException(io.netty.handler.codec.http.HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "a request authenticated by the session cookie sends its body as application/json");
        }
    }

    /** The reason given to a refused origin. */
    public static String refusal(String origin) {
        return "origin " + origin + " is not allowed; its operator may list it in --cors-origins";
    }

    static boolean isSafe(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS);
    }

    /** Lower case, without a trailing slash and without the scheme's default port. */
    static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        if (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        if (o.startsWith("http://") && o.endsWith(":80")) {
            o = o.substring(0, o.length() - 3);
        } else if (o.startsWith("https://") && o.endsWith(":443")) {
            o = o.substring(0, o.length() - 4);
        }
        return o;
    }

    /** The origin that {@code host} would have under the scheme of {@code origin}. */
    private static String sameOriginFor(String origin, String host) {
        int colon = origin.indexOf("://");
        if (colon < 0) {
            return null;
        }
        String scheme = origin.substring(0, colon);
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.contains("/") || h.contains("@")) {
            return null;
        }
        try {
            URI.create(scheme + "://" + h); // rejects a Host that is not an authority
        } catch (IllegalArgumentException e) {
            return null;
        }
        return normalize(scheme + "://" + h);
    }
}
