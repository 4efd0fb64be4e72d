package dev.herald.server.transport.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.transport.http.HttpEndpoint;
import dev.herald.server.transport.http.HttpResponses;
import dev.herald.server.transport.http.RequestTarget;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Serves the web pages from the JAR: the demo app at {@code /}, {@code /test-notifications},
 * the browser client at {@code /herald.js} (+ {@code /herald.d.ts}), its push service worker at
 * {@code /herald-sw.js} and the pages' files under
 * {@code /assets/}. Everything comes from the classpath folder {@code web/}.
 *
 * <p>Guarantees: only names of the form {@code [A-Za-z0-9_-][A-Za-z0-9._-]*} with a known extension
 * are looked up, so no request can reach anything outside {@code web/} (no traversal, no
 * directory listings); a missing file under {@code /assets/} is a JSON 404; answers carry an
 * {@code ETag} (SHA-256 of the content) and {@code If-None-Match} answers 304. Only GET and HEAD.
 *
 * <p>Threading: {@link #handle} runs on the event loop and never reads the classpath there; a
 * file not yet cached is read on the blocking executor, then kept in memory (the files are
 * few and small and never change while the node runs). Thread-safe.
 */
public final class StaticEndpoint implements HttpEndpoint {
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "ts", "text/plain; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");
    // The pages load only their own scripts and styles and talk only to this origin.
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final ObjectMapper json;
    private final Executor blocking;
    private final String root;
    private final Map<String, Optional<StaticFile>> cache = new ConcurrentHashMap<>();

    /** @param blocking where classpath reads run (never the event loop) */
    public StaticEndpoint(ObjectMapper json, Executor blocking) {
        this(json, blocking, "web/");
    }

    StaticEndpoint(ObjectMapper json, Executor blocking, String root) {
        this.json = json;
        this.blocking = blocking;
        this.root = root;
    }

    /** One file's bytes, content type and ETag. */
    record StaticFile(byte[] bytes, String contentType, String etag) {
    }

    @Override
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target, Runnable done) {
        String path = target.path();
        String name = resourceName(path);
        if (name == null) {
            return false;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        request.release();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse refused = HttpResponses.error(json, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    method + " is not allowed on " + path + "; allowed: GET, HEAD");
            refused.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            HttpResponses.write(ctx, refused, keepAlive).addListener(f -> done.run());
            return true;
        }
        boolean head = method.equals(HttpMethod.HEAD);
        Optional<StaticFile> cached = name.isEmpty() ? Optional.empty() : cache.get(name);
        if (cached != null) {
            answer(ctx, path, cached, head, ifNoneMatch, keepAlive, done);
            return true;
        }
        blocking.execute(() -> {
            Optional<StaticFile> loaded;
            try {
                loaded = load(name);
            } catch (RuntimeException e) {
                loaded = Optional.empty();
            }
            // Only files that exist are kept: misses must not let requests grow the cache.
            loaded.ifPresent(f -> cache.putIfAbsent(name, Optional.of(f)));
            Optional<StaticFile> file = loaded;
            ctx.executor().execute(() -> answer(ctx, path, file, head, ifNoneMatch, keepAlive, done));
        });
        return true;
    }

    /**
     * The classpath name under the root for a path this endpoint owns, "" for a path it owns
     * but that cannot name a file, or null for a path that is not its own.
     */
    static String resourceName(String path) {
        switch (path) {
            case "/", "/index.html":
                return "index.html";
            case "/test-notifications", "/test-notifications/":
                return "test-notifications.html";
            case "/herald.js":
                return "herald.js";
            case "/herald.d.ts":
                return "herald.d.ts";
            case "/herald-sw.js":
                // At the root on purpose: a service worker's scope can be at most its own folder,
                // so only from here can the demo at / register it with scope "/".
                return "herald-sw.js";
            default:
                break;
        }
        if (!path.startsWith("/assets/")) {
            return null;
        }
        String file = path.substring("/assets/".length());
        if (!ASSET_NAME.matcher(file).matches() || file.contains("..") || contentType(file) == null) {
            return "";
        }
        return "assets/" + file;
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    }

    private Optional<StaticFile> load(String name) {
        try (InputStream in = StaticEndpoint.class.getClassLoader().getResourceAsStream(root + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new StaticFile(bytes, contentType(name), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(ChannelHandlerContext ctx, String path, Optional<StaticFile> file, boolean head,
                        String ifNoneMatch, boolean keepAlive, Runnable done) {
        if (!ctx.channel().isActive()) {
            done.run();
            return;
        }
        FullHttpResponse response;
        if (file.isEmpty()) {
            response = HttpResponses.error(json, HttpResponseStatus.NOT_FOUND, "no such file: " + path);
        } else if (ifNoneMatch != null && matches(ifNoneMatch, file.get().etag())) {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            response.headers().set(HttpHeaderNames.ETAG, file.get().etag()).set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        } else {
            StaticFile f = file.get();
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(f.bytes()));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, f.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, f.bytes().length)
                    .set(HttpHeaderNames.ETAG, f.etag())
                    // Revalidate every time: a new JAR must never serve a stale client.
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set("X-Content-Type-Options", "nosniff");
            if (f.contentType().startsWith("text/html")) {
                response.headers().set("Content-Security-Policy", CSP).set("Referrer-Policy", "no-referrer");
            }
        }
        HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run());
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
