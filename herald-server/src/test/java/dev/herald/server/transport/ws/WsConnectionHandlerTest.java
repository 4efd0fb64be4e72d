package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.TransportContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every plain WebSocket connection does, on an {@link EmbeddedChannel} without a socket:
 * registration, error frames, close codes, rate limiting (keepalive reads the system clock, so
 * {@code KeepaliveEndToEndTest} covers it over a real socket). The endpoint-specific part is a stub that
 * records the frames it is given.
 */
class WsConnectionHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SessionRegistry sessions = new SessionRegistry();
    private EmbeddedChannel channel;

    /** The endpoint part: records the frames the base class hands it. */
    private static final class Recording extends WsConnectionHandler {
        final List<String> types = new ArrayList<>();
        boolean closed;

        Recording(TransportContext context) {
            super(context, new Principal("ann", "Ann", Set.of(), null));
        }

        @Override
        protected void onOpen() {
            ready();
        }

        @Override
        protected void onFrame(String type, ObjectNode frame) {
            types.add(type);
        }

        @Override
        protected void onClosed() {
            closed = true;
        }
    }

    private Recording open(HeraldConfig.Builder config) {
        HeraldConfig c = config.jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        TransportContext context = new TransportContext(c, JSON, null, null, null, null, sessions,
                new HeraldMetrics(), null, new OriginPolicy(List.of()));
        Recording handler = new Recording(context);
        channel = new EmbeddedChannel(handler);
        handler.start();
        return handler;
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private JsonNode nextJson() throws Exception {
        TextWebSocketFrame frame = channel.readOutbound();
        assertThat(frame).as("a text frame was written").isNotNull();
        try {
            return JSON.readTree(frame.text());
        } finally {
            frame.release();
        }
    }

    private void send(String text) {
        channel.writeInbound(new TextWebSocketFrame(text));
    }

    @Test
    void anOpenConnectionIsRegisteredAndAPingFrameIsAnsweredWithItsId() throws Exception {
        Recording handler = open(HeraldConfig.builder());
        assertThat(sessions.countOfUser("ann")).isEqualTo(1);
        send("{\"type\":\"ping\",\"id\":7}");
        JsonNode pong = nextJson();
        assertThat(pong.get("type").asText()).isEqualTo("pong");
        assertThat(pong.get("id").asInt()).isEqualTo(7);
        send("{\"type\":\"mark_read\",\"id\":\"x\"}");
        assertThat(handler.types).containsExactly("mark_read");
        channel.close();
        assertThat(handler.closed).isTrue();
        assertThat(sessions.countOfUser("ann")).isZero();
    }

    @Test
    void badFramesGetAnErrorFrameEachAndTheConnectionStaysOpen() throws Exception {
        Recording handler = open(HeraldConfig.builder());
        send("{not json");
        assertThat(nextJson().get("code").asText()).isEqualTo("malformed_json");
        send("[1,2]");
        assertThat(nextJson().get("code").asText()).isEqualTo("invalid_frame");
        send("{\"no\":\"type\"}");
        assertThat(nextJson().get("code").asText()).isEqualTo("invalid_frame");
        send("{\"type\":\"refresh\"}");
        assertThat(nextJson().get("code").asText()).isEqualTo("invalid_frame");
        assertThat(channel.isActive()).isTrue();
        assertThat(handler.types).isEmpty();
    }

    @Test
    void textThatIsNotUtf8ClosesWith1007() {
        open(HeraldConfig.builder());
        channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'})));
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1007);
        close.release();
    }

    @Test
    void aClientThatKeepsFloodingIsToldOnceAndThenClosedWith4029() throws Exception {
        open(HeraldConfig.builder().clientFrameRate(1).clientFrameBurst(1));
        int errors = 0;
        CloseWebSocketFrame close = null;
        for (int i = 0; i < 200 && close == null; i++) {
            send("{\"type\":\"x\"}");
            Object out;
            while ((out = channel.readOutbound()) != null) {
                if (out instanceof CloseWebSocketFrame c) {
                    close = c;
                } else if (out instanceof TextWebSocketFrame t) {
                    errors += JSON.readTree(t.text()).get("code").asText().equals("rate_limited") ? 1 : 0;
                    t.release();
                }
            }
        }
        assertThat(errors).as("rate_limited errors, at most one a second").isEqualTo(1);
        assertThat(close).isNotNull();
        assertThat(close.statusCode()).isEqualTo(4029);
        close.release();
    }

}
