package dev.herald.server.transport.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationFrames;
import dev.herald.server.notify.NotificationLog;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.store.Store;
import dev.herald.server.stream.StreamState;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.TransportContext;
import dev.herald.server.transport.http.RequestTarget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code GET /sse/notifications} becomes a stream, on an {@link EmbeddedChannel}: the
 * response head an EventSource needs, the router replaced by {@link SseHandler} and the
 * {@code connected} event right after; and the refusals (405, 401) as JSON with the connection
 * closed. The request is released on every path. Token checks and the store are stubs that
 * answer at once; {@code SseEndToEndTest} covers the same over a real socket.
 */
class SseEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionRegistry sessions = new SessionRegistry();
    private final List<String> passedOn = new ArrayList<>();
    private EmbeddedChannel channel;

    /** A store holding nothing: opening a stream only records its user and reads a state. */
    private static Store emptyStore() {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "streamState" -> StreamState.EMPTY;
                    case "ensureStreams" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void start() {
        InlineExecutor inline = new InlineExecutor();
        Store store = emptyStore();
        InProcessBroker broker = new InProcessBroker();
        HeraldMetrics metrics = new HeraldMetrics();
        DeliveryHub hub = new DeliveryHub(new NotificationLog(store), broker, inline,
                NotificationFrames::unreadCountAfter, metrics);
        broker.start(hub);
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        TransportContext context = new TransportContext(config, JSON, token -> {
            if (!token.equals("good")) {
                throw new AuthException(AuthException.Reason.INVALID, "invalid token");
            }
            return new Principal("ann", "Ann", Set.of(), null);
        }, null, new NotificationService(store, broker, inline), hub, sessions, metrics, inline,
                new OriginPolicy(List.of()));
        SseEndpoint endpoint = new SseEndpoint(context);
        // The router's part: offer the request; the endpoint owns it from then on.
        channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest request = (FullHttpRequest) msg;
                if (!endpoint.handle(ctx, request, RequestTarget.decode(request.uri()), () -> { })) {
                    passedOn.add(request.uri());
                    request.release();
                }
            }
        });
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private Object send(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        channel.writeInbound(request);
        channel.runPendingTasks();
        assertThat(request.refCnt()).as("the request is released").isZero();
        return channel.readOutbound();
    }

    private static String bodyOf(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void anAdmittedRequestGetsAnEventStreamHeadThenTheConnectedEvent() {
        start();
        Object head = send(HttpMethod.GET, "/sse/notifications?access_token=good");
        assertThat(head).isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
        HttpResponse response = (HttpResponse) head;
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(response.headers().get("Cache-Control")).isEqualTo("no-store");
        assertThat(response.headers().get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(response.headers().get("Connection")).isEqualTo("keep-alive");
        assertThat(response.headers().get("X-Accel-Buffering")).as("no proxy buffering").isEqualTo("no");
        assertThat(response.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");

        HttpContent connected = channel.readOutbound();
        assertThat(connected.content().toString(StandardCharsets.UTF_8))
                .startsWith("data: {\"type\":\"connected\",").endsWith("\"user_id\":\"ann\",\"stream\":\"user:ann\",\"seq\":0,\"unread_count\":0,\"unseen_count\":0}\n\n");
        connected.release();
        assertThat(channel.pipeline().toMap()).as("the router gave way to the stream").containsOnlyKeys("sse");
        assertThat(channel.pipeline().get("sse")).isInstanceOf(SseHandler.class);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(sessions.countOfUser("ann")).isEqualTo(1);
    }

    @Test
    void anotherMethodIsRefusedWith405AndAllowGet() {
        start();
        FullHttpResponse response = (FullHttpResponse) send(HttpMethod.POST, "/sse/notifications?access_token=good");
        assertThat(response.status().code()).isEqualTo(405);
        assertThat(response.headers().get("Allow")).isEqualTo("GET");
        assertThat(bodyOf(response)).isEqualTo("{\"error\":\"use GET\"}");
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aRequestWithoutATokenIsRefusedWith401AndTheConnectionClosed() {
        start();
        FullHttpResponse response = (FullHttpResponse) send(HttpMethod.GET, "/sse/notifications");
        assertThat(response.status().code()).isEqualTo(401);
        assertThat(bodyOf(response)).startsWith("{\"error\":\"token required: ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void anInvalidTokenIsRefusedWith401AndTheConnectionClosed() {
        start();
        FullHttpResponse response = (FullHttpResponse) send(HttpMethod.GET, "/sse/notifications?access_token=bad");
        assertThat(response.status().code()).isEqualTo(401);
        assertThat(bodyOf(response)).isEqualTo("{\"error\":\"invalid token\"}");
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void otherPathsAreLeftToTheRouter() {
        start();
        assertThat(send(HttpMethod.GET, "/sse/notificationsx?access_token=good")).isNull();
        assertThat(send(HttpMethod.GET, "/sse/other")).isNull();
        assertThat(passedOn).containsExactly("/sse/notificationsx?access_token=good", "/sse/other");
        assertThat(channel.isOpen()).isTrue();
    }
}
