package dev.herald.server.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.IdempotencyConflictException;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Routes each HTTP request of a connection: first to the endpoints that take over requests
 * (WebSocket upgrades, Socket.IO, pages), then to the API route table. Route handlers run on
 * virtual threads; the answer is written back on the loop.
 *
 * <p>Requests of one connection are answered one at a time, in order (HTTP/1.1 pipelining):
 * later ones wait in a small queue. One instance per channel; confined to its event loop.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
    private static final int MAX_PIPELINED = 16;

    private final TransportContext context;
    private final List<HttpEndpoint> endpoints;
    private final List<Route> routes;
    private final ObjectMapper json;
    private final Cors cors;
    // Only on the loop.
    private boolean busy;
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();

    public HttpRequestHandler(TransportContext context, List<HttpEndpoint> endpoints, List<Route> routes) {
        super(false);
        this.context = context;
        this.endpoints = endpoints;
        this.routes = routes;
        this.json = context.json();
        this.cors = new Cors(context.config().corsOrigins());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (busy) {
            if (waiting.size() >= MAX_PIPELINED) {
                request.release();
                ctx.close();
                return;
            }
            waiting.add(request);
            return;
        }
        busy = true;
        dispatch(ctx, request);
    }

    private void next(ChannelHandlerContext ctx) {
        busy = false;
        FullHttpRequest request = waiting.poll();
        if (request != null && ctx.channel().isActive()) {
            busy = true;
            dispatch(ctx, request);
        } else if (request != null) {
            request.release();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            request.release();
            HttpResponses.write(ctx, HttpResponses.error(json, HttpResponseStatus.BAD_REQUEST,
                    "malformed HTTP request: " + decoded.cause().getMessage()), false);
            return;
        }
        Runnable done = () -> {
            if (ctx.executor().inEventLoop()) {
                next(ctx);
            } else {
                ctx.executor().execute(() -> next(ctx));
            }
        };
        for (HttpEndpoint endpoint : endpoints) {
            if (endpoint.handle(ctx, request, done)) {
                return;
            }
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (Cors.isPreflight(request)) {
            FullHttpResponse preflight = cors.preflight(request);
            request.release();
            HttpResponses.write(ctx, preflight, keepAlive).addListener(f -> done.run());
            return;
        }
        String origin = cors.allowedOrigin(request.headers());
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        Route route = null;
        Map<String, String> params = null;
        List<String> allowed = new ArrayList<>();
        for (Route r : routes) {
            Map<String, String> p = r.match(path);
            if (p == null) {
                continue;
            }
            if (r.method().equals(request.method())) {
                route = r;
                params = p;
                break;
            }
            allowed.add(r.method().name());
        }
        if (route == null) {
            request.release();
            FullHttpResponse response = allowed.isEmpty()
                    ? HttpResponses.error(json, HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path)
                    : HttpResponses.error(json, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
            if (!allowed.isEmpty()) {
                response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", allowed));
            }
            Cors.decorate(response.headers(), origin);
            HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run());
            return;
        }
        // Detach from Netty's buffers so the handler can run on another thread.
        byte[] body = ByteBufUtil.getBytes(request.content());
        HttpHeaders headers = request.headers().copy();
        Route chosen = route;
        Map<String, String> pathParams = params;
        var method = request.method();
        request.release();
        context.blocking().execute(() -> {
            FullHttpResponse answer;
            try {
                answer = run(chosen, method, path, pathParams, uri.parameters(), headers, body);
            } catch (IllegalArgumentException e) {
                // A malformed query string (e.g. "?a=%zz") fails while it is decoded, before run()'s
                // own error mapping; unanswered, the request held its connection forever.
                answer = HttpResponses.error(json, HttpResponseStatus.BAD_REQUEST, "malformed query string: " + e.getMessage());
            }
            FullHttpResponse response = answer;
            Cors.decorate(response.headers(), origin);
            ctx.executor().execute(() -> HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run()));
        });
    }

    /** Authenticates, runs the handler, and maps every failure to a clear answer. Blocking. */
    private FullHttpResponse run(Route route, io.netty.handler.codec.http.HttpMethod method, String path,
                                 Map<String, String> pathParams, Map<String, List<String>> query,
                                 HttpHeaders headers, byte[] body) {
        try {
            Principal principal = authenticate(route.access(), headers, query);
            ApiResponse answer = route.handler().handle(
                    new ApiRequest(method, path, pathParams, query, headers, body, principal));
            if (answer.raw() != null) {
                return HttpResponses.bytes(answer.status(), answer.contentType(), answer.raw());
            }
            return HttpResponses.json(json, answer.status(), answer.json());
        } catch (ApiException e) {
            return HttpResponses.error(json, e.status(), e.getMessage());
        } catch (ValidationException e) {
            return HttpResponses.json(json, HttpResponseStatus.BAD_REQUEST,
                    Map.of("error", e.getMessage(), "field", e.field()));
        } catch (IdempotencyConflictException e) {
            return HttpResponses.error(json, HttpResponseStatus.CONFLICT, e.getMessage());
        } catch (StoreUnavailableException e) {
            log.warn("store unavailable for {} {}: {}", method, path, e.getMessage());
            return HttpResponses.error(json, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "store unavailable; retry later (a publish may have been stored: retry it with the same Idempotency-Key)");
        } catch (Exception e) {
            log.error("unexpected failure in {} {}", method, path, e);
            return HttpResponses.error(json, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }
    }

    private Principal authenticate(Route.Access access, HttpHeaders headers, Map<String, List<String>> query) {
        switch (access) {
            case PUBLIC:
                return null;
            case API_KEY: {
                String key = Credentials.apiKey(headers);
                if (key == null) {
                    throw ApiException.unauthorized("API key required: Authorization: Bearer <api key>");
                }
                if (!context.apiKeys().isValid(key)) {
                    throw ApiException.unauthorized("invalid API key");
                }
                return null;
            }
            case USER: {
                String token = Credentials.userToken(headers, query, context.config().jwtCookie());
                if (token == null) {
                    throw ApiException.unauthorized("token required: Authorization: Bearer <jwt>");
                }
                try {
                    return context.tokens().verify(token);
                } catch (AuthException e) {
                    throw ApiException.unauthorized(e.getMessage());
                }
            }
            default:
                throw new IllegalStateException("unknown access " + access);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection error channel={}: {}", ctx.channel().id(), cause.toString());
        } else {
            log.warn("HTTP pipeline failure channel={}", ctx.channel().id(), cause);
        }
        ctx.close();
    }
}
