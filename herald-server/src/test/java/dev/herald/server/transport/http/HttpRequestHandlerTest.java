package dev.herald.server.transport.http;

import dev.herald.server.transport.OriginPolicy;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The router alone on an {@link EmbeddedChannel}: what a connection may queue behind a request. */
class HttpRequestHandlerTest {

    private static TransportContext context() {
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        return new TransportContext(config, new ObjectMapper(), null, null, null, null, null,
                new HeraldMetrics(), null, new OriginPolicy(config.corsOrigins()));
    }

    /** An endpoint that takes every request and answers none: a long poll that is never answered. */
    private static final class Holding implements HttpEndpoint {
        final List<FullHttpRequest> held = new ArrayList<>();

        @Override
        public boolean handle(io.netty.channel.ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target,
                              Runnable done) {
            held.add(request);
            return true;
        }
    }

    private static FullHttpRequest post(int bodyBytes) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/socket.io/?EIO=4",
                Unpooled.wrappedBuffer(new byte[bodyBytes]));
    }

    @Test
    void bodiesPipelinedBehindAHeldRequestStopTheReadingOnceTheyPassTheirBudget() {
        Holding endpoint = new Holding();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestHandler(context(), List.of(endpoint), List.of()));
        List<FullHttpRequest> sent = new ArrayList<>();
        try {
            FullHttpRequest first = post(10);
            channel.writeInbound(first);
            assertThat(endpoint.held).hasSize(1);
            assertThat(channel.config().isAutoRead()).isTrue();
            int bodies = 0;
            while (channel.config().isAutoRead() && bodies < HttpRequestHandler.MAX_PIPELINED) {
                FullHttpRequest r = post(40 * 1024);
                sent.add(r);
                channel.writeInbound(r);
                bodies++;
            }
            assertThat(channel.config().isAutoRead()).as("reading paused").isFalse();
            assertThat(bodies * 40 * 1024L).as("bytes queued when reading paused")
                    .isLessThanOrEqualTo(HttpRequestHandler.MAX_WAITING_BYTES + 40 * 1024L);
        } finally {
            channel.finishAndReleaseAll();
            endpoint.held.forEach(r -> r.release(r.refCnt()));
        }
        assertThat(sent).allSatisfy(r -> assertThat(r.refCnt()).as("queued requests released on close").isZero());
    }

    @Test
    void aRequestThatThrowsInsideAnEndpointIsReleasedAndAnswered() {
        HttpEndpoint broken = (ctx, request, target, done) -> {
            throw new IllegalStateException("bug");
        };
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestHandler(context(), List.of(broken), List.of()));
        FullHttpRequest request = post(1024);
        channel.writeInbound(request);
        assertThat(request.refCnt()).isZero();
        io.netty.handler.codec.http.FullHttpResponse answer = channel.readOutbound();
        assertThat(answer.status().code()).isEqualTo(500);
        answer.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void endpointsAreGivenTheUriDecodedAndNeverMeetOneThatDoesNotDecode() {
        List<RequestTarget> seen = new ArrayList<>();
        HttpEndpoint recording = (ctx, request, target, done) -> {
            seen.add(target);
            request.release();
            done.run();
            return true;
        };
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestHandler(context(), List.of(recording), List.of()));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a%20b/c?x=%41&x=2&y"));

        assertThat(seen).containsExactly(new RequestTarget("/a b/c", Map.of("x", List.of("A", "2"), "y", List.of(""))));

        FullHttpRequest malformed = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a?x=%zz");
        channel.writeInbound(malformed);
        io.netty.handler.codec.http.FullHttpResponse answer = channel.readOutbound();
        assertThat(answer.status().code()).isEqualTo(400);
        assertThat(malformed.refCnt()).isZero();
        assertThat(seen).hasSize(1);
        answer.release();
        channel.finishAndReleaseAll();
    }
}
