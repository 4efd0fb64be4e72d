package dev.herald.socketio.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EngineIoServer#handle} inside a pipeline, with EmbeddedChannel: routing, refusals, CORS. */
class EngineIoServerRoutingTest {
    private final List<EngineSession> opened = new ArrayList<>();
    private final EngineIoServer engine = new EngineIoServer(EngineIoConfig.defaults()
            .withAllowedOrigins(List.of("http://app.example", "*")), opened::add);
    private final List<String> notOurs = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new SimpleChannelInboundHandler<FullHttpRequest>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!engine.handle(ctx, req)) {
                notOurs.add(req.uri());
            }
        }
    });

    @AfterEach
    void close() {
        engine.closeAll();
        channel.runPendingTasks();
        channel.finishAndReleaseAll();
    }

    private FullHttpResponse request(HttpMethod method, String uri, String origin) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        if (origin != null) {
            req.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        channel.writeInbound(req);
        channel.runPendingTasks();
        return channel.readOutbound();
    }

    @Test
    void leavesRequestsOutsideItsPathToTheRouter() {
        assertThat(request(HttpMethod.GET, "/api/v1/notifications?EIO=4", null)).isNull();
        assertThat(request(HttpMethod.GET, "/socket.iox/?EIO=4&transport=polling", null)).isNull();
        assertThat(notOurs).containsExactly("/api/v1/notifications?EIO=4", "/socket.iox/?EIO=4&transport=polling");
    }

    @Test
    void refusesAnUnsupportedProtocolVersionWithCodeFive() {
        FullHttpResponse res = request(HttpMethod.GET, "/socket.io/?EIO=3&transport=polling", null);
        assertThat(res.status().code()).isEqualTo(400);
        assertThat(res.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"code\":5,\"message\":\"Unsupported protocol version\"}");
        res.release();
    }

    @Test
    void refusesAnUnknownSessionIdWithCodeOne() {
        FullHttpResponse res = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling&sid=nope", null);
        assertThat(res.status().code()).isEqualTo(400);
        assertThat(res.content().toString(StandardCharsets.UTF_8)).contains("\"code\":1");
        res.release();
    }

    @Test
    void refusesAWebSocketTransportRequestWithoutAnUpgrade() {
        FullHttpResponse res = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=websocket", null);
        assertThat(res.status().code()).isEqualTo(400);
        res.release();
    }

    @Test
    void echoesTheOriginWithCredentialsOnPollingResponses() {
        FullHttpResponse res = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling", "http://app.example");
        assertThat(res.status().code()).isEqualTo(200);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("http://app.example");
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
        assertThat(opened).hasSize(1);
        res.release();
    }

    @Test
    void anOriginCoveredOnlyByTheWildcardIsEchoedWithoutCredentials() {
        FullHttpResponse res = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling", "http://other.example");
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("http://other.example");
        assertThat(res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isFalse();
        res.release();
        FullHttpResponse fromNull = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling", "null");
        assertThat(fromNull.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        fromNull.release();
    }

    @Test
    void answersACorsPreflight() {
        FullHttpResponse res = request(HttpMethod.OPTIONS, "/socket.io/?EIO=4&transport=polling", "http://app.example");
        assertThat(res.status().code()).isEqualTo(204);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).contains("POST");
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("http://app.example");
        res.release();
    }

    @Test
    void withoutAnAllowListNoOriginGetsCorsHeaders() {
        refusesCorsTo(List.of());
    }

    @Test
    void refusesCorsToOriginsOutsideTheAllowList() {
        refusesCorsTo(List.of("http://good.example"));
    }

    private static void refusesCorsTo(List<String> allowed) {
        EngineIoServer strict = new EngineIoServer(EngineIoConfig.defaults().withAllowedOrigins(allowed), s -> { });
        EmbeddedChannel ch = new EmbeddedChannel(new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                strict.handle(ctx, req);
            }
        });
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/socket.io/?EIO=4&transport=polling");
        req.headers().set(HttpHeaderNames.ORIGIN, "http://evil.example");
        ch.writeInbound(req);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        res.release();
        strict.closeAll();
        ch.runPendingTasks();
        ch.finishAndReleaseAll();
    }
}
