package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.server.push.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for Google's OAuth token endpoint and FCM's {@code messages:send}, over
 * HTTP/2 with TLS (ALPN {@code h2} only, so a client that fell back to HTTP/1.1 is refused).
 *
 * <p>The token endpoint checks the JWT bearer grant as Google does: an RS256 signature by the
 * service account's key, {@code iss}, {@code aud}, {@code scope}, {@code iat} and {@code exp}; it
 * issues tokens valid {@link #expiresIn} seconds. {@code messages:send} accepts only a token it
 * issued and has not expired, checks the message's shape (a wrong shape is 400, so a sender bug
 * shows), records each accepted message, and answers the designated device tokens as FCM answers
 * their failures. Thread-safe; the recorders may be read from any thread.
 *
 * <p>Public for the end-to-end tests, which register the designated tokens through a node's
 * device API: so each is a well-formed registration token (32 or more characters).
 */
public final class FcmPeer implements AutoCloseable {
    public static final String UNREGISTERED = "token-unregistered:APA91b0000000000";
    /** Always 503 with {@code Retry-After: }{@link #retryAfterSeconds}. */
    public static final String BUSY = "token-busy:APA91b00000000000000000";
    /** 503 with {@code Retry-After: }{@link #retryAfterSeconds} on its first send, accepted after. */
    public static final String BUSY_ONCE = "token-busy-once:APA91b000000000000";
    public static final String UNAUTHORIZED_ONCE = "token-401-once:APA91b00000000000000";
    public static final String UNAUTHORIZED_ALWAYS = "token-401-always:APA91b0000000000";
    public static final String INVALID = "token-invalid:APA91b0000000000000000";
    public static final String OTHER_SENDER = "token-other-sender:APA91b000000000";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RSAPublicKey accountKey;
    private final String clientEmail;
    private final String projectId;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final int port;

    /** Seconds each issued access token lives. */
    volatile long expiresIn = 3600;
    /** How long the token endpoint waits before answering, so concurrent senders can pile up. */
    volatile long tokenDelayMillis;
    /** The {@code Retry-After} of {@link #BUSY} and {@link #BUSY_ONCE}, in seconds. */
    public volatile long retryAfterSeconds = 9;

    final AtomicInteger tokenRequests = new AtomicInteger();
    /** The ALPN protocol of each connection. */
    final List<String> connectionProtocols = new CopyOnWriteArrayList<>();
    /** Each accepted message, as sent. */
    public final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    /** The access token of each accepted message, in order. */
    final List<String> bearers = new CopyOnWriteArrayList<>();
    /** How many sends reached messages:send per device token, accepted or not. */
    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, Instant> issued = new ConcurrentHashMap<>();

    public FcmPeer(TestCertificates tls, RSAPublicKey accountKey, String clientEmail, String projectId) throws Exception {
        this.accountKey = accountKey;
        this.clientEmail = clientEmail;
        this.projectId = projectId;
        SslContext ssl = SslContextBuilder.forServer(tls.key(), tls.certificate())
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ApplicationProtocolNegotiationHandler("none") {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                connectionProtocols.add(protocol);
                                if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                    ctx.close();
                                    return;
                                }
                                ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                            @Override
                                            protected void initChannel(Http2StreamChannel stream) {
                                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                        new HttpObjectAggregator(1 << 20), new Exchange());
                                            }
                                        }));
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    public URI baseUrl() {
        return URI.create("https://127.0.0.1:" + port);
    }

    public URI tokenUrl() {
        return URI.create("https://127.0.0.1:" + port + "/token");
    }

    /**
     * Writes a service account file as Google generates it for this peer's project and account,
     * holding {@code key} (the private half of the key the peer verifies, or a stranger's), with
     * {@code tokenUri} as its {@code token_uri} (the peer's {@link #tokenUrl()}, unless a test
     * overrides it in the sender's settings).
     */
    public Path writeServiceAccount(Path file, PrivateKey key, URI tokenUri) throws IOException {
        ObjectNode json = JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", projectId)
                .put("private_key_id", "0123456789abcdef")
                .put("private_key", TestCertificates.pkcs8Pem(key))
                .put("client_email", clientEmail)
                .put("client_id", "1234567890")
                .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
                .put("token_uri", tokenUri.toString());
        return Files.writeString(file, json.toPrettyString());
    }

    public int attemptsFor(String deviceToken) {
        AtomicInteger n = attempts.get(deviceToken);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.close().await(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** One request on one HTTP/2 stream. */
    private final class Exchange extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = new QueryStringDecoder(request.uri()).path();
            String body = request.content().toString(StandardCharsets.UTF_8);
            if (request.method() == HttpMethod.POST && path.equals("/token")) {
                FullHttpResponse response = token(body);
                ctx.executor().schedule(() -> ctx.writeAndFlush(response), tokenDelayMillis, TimeUnit.MILLISECONDS);
            } else if (request.method() == HttpMethod.POST && path.equals("/v1/projects/" + projectId + "/messages:send")) {
                ctx.writeAndFlush(send(request.headers().get(HttpHeaderNames.AUTHORIZATION), body));
            } else {
                ctx.writeAndFlush(json(HttpResponseStatus.NOT_FOUND, JSON.createObjectNode().put("error", "no route " + path)));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private FullHttpResponse token(String form) throws Exception {
        tokenRequests.incrementAndGet();
        QueryStringDecoder decoded = new QueryStringDecoder("?" + form);
        List<String> grant = decoded.parameters().get("grant_type");
        List<String> assertion = decoded.parameters().get("assertion");
        if (grant == null || !grant.equals(List.of("urn:ietf:params:oauth:grant-type:jwt-bearer")) || assertion == null) {
            return oauthError("unsupported_grant_type", "grant_type and assertion required");
        }
        SignedJWT jwt = SignedJWT.parse(assertion.get(0));
        if (!jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.RS256) || !jwt.verify(new RSASSAVerifier(accountKey))) {
            return oauthError("invalid_grant", "Invalid JWT Signature.");
        }
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        Instant now = Instant.now();
        boolean valid = clientEmail.equals(claims.getIssuer())
                && claims.getAudience().equals(List.of(tokenUrl().toString()))
                && FcmAccessTokens.SCOPE.equals(claims.getStringClaim("scope"))
                && claims.getIssueTime() != null && claims.getExpirationTime() != null
                && claims.getIssueTime().toInstant().isBefore(now.plusSeconds(60))
                && claims.getExpirationTime().toInstant().isAfter(now)
                && !Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()).minusHours(1).isPositive();
        if (!valid) {
            return oauthError("invalid_grant", "Invalid JWT claims.");
        }
        String token = "ya29.peer-" + tokenRequests.get() + "-" + Long.toHexString(System.nanoTime());
        issued.put(token, now.plusSeconds(expiresIn));
        return json(HttpResponseStatus.OK, JSON.createObjectNode().put("access_token", token)
                .put("expires_in", expiresIn).put("token_type", "Bearer"));
    }

    private FullHttpResponse send(String authorization, String body) throws Exception {
        String bearer = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        Instant expiry = issued.get(bearer);
        JsonNode root = JSON.readTree(body);
        String deviceToken = root.path("message").path("token").asText("");
        attempts.computeIfAbsent(deviceToken, k -> new AtomicInteger()).incrementAndGet();
        if (expiry == null || !expiry.isAfter(Instant.now()) || deviceToken.equals(UNAUTHORIZED_ALWAYS)
                || (deviceToken.equals(UNAUTHORIZED_ONCE) && attemptsFor(deviceToken) == 1)) {
            return fcmError(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", null,
                    "Request had invalid authentication credentials.");
        }
        String shapeError = shapeError(root.path("message"));
        if (shapeError != null) {
            return fcmError(HttpResponseStatus.BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT", shapeError);
        }
        if (deviceToken.equals(BUSY) || (deviceToken.equals(BUSY_ONCE) && attemptsFor(deviceToken) == 1)) {
            FullHttpResponse r = fcmError(HttpResponseStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
            return r;
        }
        switch (deviceToken) {
            case UNREGISTERED:
                return fcmError(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
            case INVALID:
                return fcmError(HttpResponseStatus.BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                        "The registration token is not a valid FCM registration token: " + INVALID);
            case OTHER_SENDER:
                return fcmError(HttpResponseStatus.FORBIDDEN, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch");
            default:
                messages.add(root.get("message"));
                bearers.add(bearer);
                return json(HttpResponseStatus.OK, JSON.createObjectNode()
                        .put("name", "projects/" + projectId + "/messages/0:" + messages.size()));
        }
    }

    /** What FCM would refuse as INVALID_ARGUMENT in the message Herald sends; null when it is well formed. */
    private static String shapeError(JsonNode m) {
        if (m.path("token").asText("").isEmpty()) {
            return "message.token missing";
        }
        if (!m.path("notification").path("title").isTextual() || !m.path("notification").path("body").isTextual()) {
            return "message.notification.title and body must be strings";
        }
        JsonNode data = m.path("data");
        if (!data.isObject()) {
            return "message.data must be an object";
        }
        for (JsonNode value : data) {
            if (!value.isTextual()) {
                return "message.data values must be strings";
            }
        }
        JsonNode android = m.path("android");
        if (!android.path("priority").asText("").matches("HIGH|NORMAL")) {
            return "message.android.priority must be HIGH or NORMAL";
        }
        if (!android.path("ttl").asText("").matches("\\d+(\\.\\d{1,9})?s")) {
            return "message.android.ttl must be a duration like 3.5s";
        }
        if (android.has("collapse_key") && !android.get("collapse_key").isTextual()) {
            return "message.android.collapse_key must be a string";
        }
        if (!android.path("notification").path("notification_count").isInt()) {
            return "message.android.notification.notification_count must be an integer";
        }
        return null;
    }

    private static FullHttpResponse oauthError(String error, String description) {
        return json(HttpResponseStatus.BAD_REQUEST, JSON.createObjectNode().put("error", error).put("error_description", description));
    }

    private static FullHttpResponse fcmError(HttpResponseStatus status, String googleStatus, String errorCode, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", status.code()).put("message", message).put("status", googleStatus);
        if (errorCode != null) {
            error.putArray("details").addObject()
                    .put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError").put("errorCode", errorCode);
        }
        return json(status, root);
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }
}
