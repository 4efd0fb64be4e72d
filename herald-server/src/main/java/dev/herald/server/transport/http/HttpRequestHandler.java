package dev.herald.server.transport.http;

import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.ApiException;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Routes each HTTP request of a connection: first to the endpoints that take over requests
 * (WebSocket upgrades, Socket.IO, pages), then to the API route table. Route handlers run on
 * virtual threads, except loop routes ({@link Route.LoopHandler}: the single publish), which are
 * authenticated and handled on the loop; the answer is written back on the loop.
 *
 * <p>Requests of one connection are answered one at a time, in order (HTTP/1.1 pipelining):
 * later ones wait in a small queue, capped at {@value #MAX_PIPELINED} requests; once the bodies
 * waiting there pass {@value #MAX_WAITING_BYTES} bytes the connection is not read any further
 * until the queue drains, so a client cannot make the node buffer more than one body beyond
 * that (TCP flow control holds the rest in the client).
 *
 * <p>Every request first passes the edge checks: a URI that does not decode (a bad
 * percent-escape) is a 400, a request from an origin the {@link OriginPolicy} refuses a 403; each
 * releases the request and costs one DEBUG line, never a stack trace. One instance per channel;
 * confined to its event loop.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
    static final int MAX_PIPELINED = 16;
    /** Body bytes that may wait behind the request being served before reading pauses. */
    static final int MAX_WAITING_BYTES = 64 * 1024;

    private final TransportContext context;
    private final List<HttpEndpoint> endpoints;
    private final List<Route> routes;
    private final ObjectMapper json;
    private final OriginPolicy origins;
    private final LoopRequestDrain drain;
    // Only on the loop.
    private boolean busy;
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private boolean pausedReading;
    /** The API key last found valid on this connection (loop routes only), or null. */
    private String validApiKey;

    public HttpRequestHandler(TransportContext context, List<HttpEndpoint> endpoints, List<Route> routes) {
        this(context, endpoints, routes, new LoopRequestDrain(context.blocking()));
    }

    /** @param drain shared by every connection of the node: keeps shutdown waiting for loop routes' answers */
    HttpRequestHandler(TransportContext context, List<HttpEndpoint> endpoints, List<Route> routes, LoopRequestDrain drain) {
        super(false);
        this.context = context;
        this.endpoints = endpoints;
        this.routes = routes;
        this.json = context.json();
        this.origins = context.origins();
        this.drain = drain;
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
            waitingBytes += request.content().readableBytes();
            if (waitingBytes > MAX_WAITING_BYTES && !pausedReading) {
                pausedReading = true;
                pauseReading(ctx, true);
            }
            return;
        }
        busy = true;
        dispatchSafely(ctx, request);
    }

    private void next(ChannelHandlerContext ctx) {
        busy = false;
        FullHttpRequest request = waiting.poll();
        if (request != null) {
            waitingBytes -= request.content().readableBytes();
        }
        if (pausedReading && waitingBytes <= MAX_WAITING_BYTES / 2 && ctx.channel().isActive()) {
            pausedReading = false;
            pauseReading(ctx, false);
        }
        if (request != null && ctx.channel().isActive()) {
            busy = true;
            dispatchSafely(ctx, request);
        } else if (request != null) {
            request.release();
        }
    }

    /**
     * Serves one request; whatever goes wrong, the request is released and the client answered
     * or disconnected. An exception here is a bug, logged once without a stack trace per request.
     */
    private void dispatchSafely(ChannelHandlerContext ctx, FullHttpRequest request) {
        try {
            dispatch(ctx, request);
        } catch (RejectedExecutionException e) {
            // The node is shutting down: its blocking executor takes no more work.
            if (request.refCnt() > 0) {
                ReferenceCountUtil.safeRelease(request, request.refCnt());
            }
            log.debug("refused {} on channel={}: shutting down", request.method(), ctx.channel().id());
            if (ctx.channel().isActive()) {
                HttpResponses.write(ctx, HttpResponses.error(json, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "the node is shutting down; retry on another"), false);
            }
        } catch (RuntimeException e) {
            if (request.refCnt() > 0) {
                ReferenceCountUtil.safeRelease(request, request.refCnt());
            }
            log.warn("cannot serve {} on channel={}: {}", request.method(), ctx.channel().id(), e.toString());
            log.debug("failure detail", e);
            if (ctx.channel().isActive()) {
                HttpResponses.write(ctx, HttpResponses.error(json, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "internal error"), false);
            }
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            request.release();
            HttpResponseStatus status = decoded.cause() instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : decoded.cause() instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : HttpResponseStatus.BAD_REQUEST;
            log.debug("malformed HTTP request channel={}: {}", ctx.channel().id(), decoded.cause().toString());
            HttpResponses.write(ctx, HttpResponses.error(json, status,
                    "malformed HTTP request: " + decoded.cause().getMessage()), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Runnable done = () -> {
            if (ctx.executor().inEventLoop()) {
                next(ctx);
            } else {
                ctx.executor().execute(() -> next(ctx));
            }
        };
        RequestTarget target;
        try {
            // Decoded once, here: a bad percent-escape is answered before any endpoint or route
            // sees the request, and they all read this target instead of decoding again.
            target = RequestTarget.decode(request.uri());
        } catch (IllegalArgumentException e) {
            request.release();
            log.debug("bad request URI channel={}: {}", ctx.channel().id(), e.getMessage());
            // The request was framed correctly: the connection can go on to the next one.
            HttpResponses.write(ctx, HttpResponses.error(json, HttpResponseStatus.BAD_REQUEST,
                    "malformed request URI: " + e.getMessage()), keepAlive).addListener(f -> done.run());
            return;
        }
        OriginPolicy.Trust trust = origins.judge(request.headers());
        if (!trust.allowed()) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            request.release();
            log.debug("refused origin {} for {} channel={}", origin, target.path(), ctx.channel().id());
            context.metrics().refused("origin");
            HttpResponses.write(ctx, HttpResponses.error(json, HttpResponseStatus.FORBIDDEN,
                    OriginPolicy.refusal(origin)), false);
            return;
        }
        for (HttpEndpoint endpoint : endpoints) {
            if (endpoint.handle(ctx, request, target, done)) {
                return;
            }
        }
        if (Cors.isPreflight(request)) {
            FullHttpResponse preflight = Cors.preflight(request, trust);
            request.release();
            HttpResponses.write(ctx, preflight, keepAlive).addListener(f -> done.run());
            return;
        }
        String corsOrigin = OriginPolicy.corsOrigin(trust, request.headers());
        boolean corsCredentials = OriginPolicy.corsWithCredentials(trust);
        Route route = null;
        Map<String, String> params = null;
        List<String> allowed = new ArrayList<>();
        for (Route r : routes) {
            Map<String, String> p = r.match(target.path());
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
                    ? HttpResponses.error(json, HttpResponseStatus.NOT_FOUND, "no such endpoint: " + target.path())
                    : HttpResponses.error(json, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method()
                    + " is not allowed on " + target.path() + "; allowed: " + String.join(", ", allowed));
            if (!allowed.isEmpty()) {
                response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", allowed));
            }
            Cors.decorate(response.headers(), corsOrigin, corsCredentials);
            HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run());
            return;
        }
        if (route.onLoop() != null) {
            serveOnLoop(ctx, request, route, params, target, trust, corsOrigin, corsCredentials, keepAlive, done);
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
            FullHttpResponse response = run(chosen, method, target, pathParams, headers, body, trust);
            Cors.decorate(response.headers(), corsOrigin, corsCredentials);
            ctx.executor().execute(() -> HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run()));
        });
    }

    /**
     * A loop route: authenticated and handled here, on the loop, with no hand-off; its answer is
     * written when the handler's stage completes (on the loop, or handed to it). Failures are
     * answered as {@link #run} answers them. Counted in the {@link LoopRequestDrain} until
     * answered, so a shutdown waits for it as for a request on a virtual thread.
     */
    private void serveOnLoop(ChannelHandlerContext ctx, FullHttpRequest request, Route route, Map<String, String> params,
                             RequestTarget target, OriginPolicy.Trust trust, String corsOrigin, boolean corsCredentials,
                             boolean keepAlive, Runnable done) {
        drain.enter(); // throws RejectedExecutionException when shutting down: 503, as for a blocking route
        // The body is copied out of Netty's buffer; the headers hold no buffer and are not
        // changed once decoded, so the request's own are kept.
        HttpHeaders headers = request.headers();
        HttpMethod method = request.method();
        byte[] body;
        try {
            body = ByteBufUtil.getBytes(request.content());
        } catch (RuntimeException e) {
            drain.exit();
            throw e;
        }
        request.release();
        CompletionStage<ApiResponse> answer;
        try {
            Principal principal = authenticateOnLoop(route.access(), headers);
            answer = route.onLoop().handle(new ApiRequest(method, target.path(), params, target.query(), headers, body,
                    principal), ctx.executor());
        } catch (Exception e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
            if (ctx.executor().inEventLoop()) {
                answerOnLoop(ctx, method, target.path(), response, failure, corsOrigin, corsCredentials, keepAlive, done);
            } else {
                ctx.executor().execute(() -> answerOnLoop(ctx, method, target.path(), response, failure, corsOrigin,
                        corsCredentials, keepAlive, done));
            }
        });
    }

    private void answerOnLoop(ChannelHandlerContext ctx, HttpMethod method, String path, ApiResponse answer,
                              Throwable failure, String corsOrigin, boolean corsCredentials, boolean keepAlive,
                              Runnable done) {
        try {
            FullHttpResponse response;
            try {
                response = failure == null ? encode(answer) : failure(method, path, unwrap(failure));
            } catch (RuntimeException e) {
                response = failure(method, path, e);
            }
            Cors.decorate(response.headers(), corsOrigin, corsCredentials);
            HttpResponses.write(ctx, response, keepAlive).addListener(f -> done.run());
        } finally {
            drain.exit();
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private FullHttpResponse encode(ApiResponse answer) {
        if (answer.raw() != null) {
            return HttpResponses.bytes(answer.status(), answer.contentType(), answer.raw());
        }
        return HttpResponses.json(json, answer.status(), answer.json());
    }

    /** Authenticates, runs the handler, and maps every failure to a clear answer. Blocking. */
    private FullHttpResponse run(Route route, HttpMethod method, RequestTarget target,
                                 Map<String, String> pathParams, HttpHeaders headers, byte[] body,
                                 OriginPolicy.Trust trust) {
        String path = target.path();
        try {
            Principal principal = authenticate(route.access(), method, headers, target.query(), trust);
            return encode(route.handler().handle(
                    new ApiRequest(method, path, pathParams, target.query(), headers, body, principal)));
        } catch (Exception e) {
            return failure(method, path, e);
        }
    }

    /** The answer to a handler's failure, the same for both kinds of route. */
    private FullHttpResponse failure(HttpMethod method, String path, Throwable failure) {
        if (failure instanceof ApiException e) {
            return HttpResponses.error(json, e.status(), e.getMessage());
        }
        if (failure instanceof ValidationException e) {
            return HttpResponses.json(json, HttpResponseStatus.BAD_REQUEST,
                    Map.of("error", e.getMessage(), "field", e.field()));
        }
        if (failure instanceof IdempotencyConflictException e) {
            return HttpResponses.error(json, HttpResponseStatus.CONFLICT, e.getMessage());
        }
        if (failure instanceof StoreUnavailableException e) {
            log.warn("store unavailable for {} {}: {}", method, path, e.getMessage());
            return HttpResponses.error(json, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "store unavailable; retry later (a publish may have been stored: retry it with the same Idempotency-Key)");
        }
        log.error("unexpected failure in {} {}", method, path, failure);
        return HttpResponses.error(json, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    /**
     * A loop route's caller: public, or an app backend with an API key. A connection's backend
     * sends the same key on every request, so the last key found valid on this connection is
     * kept and a request presenting it again costs a string comparison, not a SHA-256 (the keys
     * are fixed for the node's life; only a key this connection presented is ever kept).
     */
    private Principal authenticateOnLoop(Route.Access access, HttpHeaders headers) {
        if (access == Route.Access.PUBLIC) {
            return null;
        }
        if (access != Route.Access.API_KEY) {
            throw new IllegalStateException("a loop route with access " + access);
        }
        String key = Credentials.apiKey(headers);
        if (key == null) {
            throw ApiException.unauthorized("API key required: Authorization: Bearer <api key>");
        }
        if (!key.equals(validApiKey)) {
            if (!context.apiKeys().isValid(key)) {
                throw ApiException.unauthorized("invalid API key");
            }
            validApiKey = key;
        }
        return null;
    }

    private Principal authenticate(Route.Access access, HttpMethod method,
                                   HttpHeaders headers, Map<String, List<String>> query, OriginPolicy.Trust trust) {
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
                Credentials.UserToken token = Credentials.userCredential(headers, query, context.config().jwtCookie());
                if (token == null) {
                    throw ApiException.unauthorized("token required: Authorization: Bearer <jwt>");
                }
                if (token.fromCookie()) {
                    OriginPolicy.checkCookieUse(trust, method, headers);
                }
                try {
                    return context.tokens().verify(token.token());
                } catch (AuthException e) {
                    throw ApiException.unauthorized(e.getMessage());
                }
            }
            default:
                throw new IllegalStateException("unknown access " + access);
        }
    }

    /**
     * Stops or resumes reading the connection. Turning {@code autoRead} off is not enough: the
     * aggregator reads on by itself while a message is incomplete, which with pipelined bodies is
     * always; the {@link RequestGuard} in front of it also holds back those reads.
     */
    private static void pauseReading(ChannelHandlerContext ctx, boolean pause) {
        RequestGuard guard = ctx.pipeline().get(RequestGuard.class);
        if (guard != null) {
            guard.holdReads(pause);
        }
        ctx.channel().config().setAutoRead(!pause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Taken over by a WebSocket or SSE: requests pipelined behind it are never served, and
        // the new owner of the connection decides about reading.
        releaseWaiting();
        if (pausedReading) {
            pausedReading = false;
            RequestGuard guard = ctx.pipeline().get(RequestGuard.class);
            if (guard != null) {
                guard.holdReads(false);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseWaiting();
        super.channelInactive(ctx);
    }

    private void releaseWaiting() {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        waitingBytes = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
            // The client went away (or reset) mid-request: its news, not the operator's.
            log.debug("connection error channel={}: {}", ctx.channel().id(), cause.toString());
        } else {
            log.warn("HTTP pipeline failure channel={}: {}", ctx.channel().id(), cause.toString());
            log.debug("failure detail", cause);
        }
        ctx.close();
    }
}
