package dev.herald.server.transport.ws;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.Principal;
import dev.herald.server.broker.InProcessBroker;
import dev.herald.server.chat.ChatError;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.ChatSettings;
import dev.herald.server.chat.ChatStore;
import dev.herald.server.chat.LocalConversationViewers;
import dev.herald.server.chat.TypingTracker;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.testing.QuietDelivery;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.TransportContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code /ws/chat} connection on an {@link EmbeddedChannel}, with the real delivery core and
 * chat service over a store that is never reached: how a frame whose handling fails at once is
 * answered.
 */
class WsChatHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Logger errorLog = (Logger) LoggerFactory.getLogger(ChatError.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private ExecutorService blocking;
    private ScheduledExecutorService timers;
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        logs.start();
        errorLog.addAppender(logs);
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        timers = Executors.newSingleThreadScheduledExecutor();
        ChatSettings settings = ChatSettings.defaults();
        InProcessBroker broker = new InProcessBroker();
        ChatStore unreachable = (ChatStore) Proxy.newProxyInstance(ChatStore.class.getClassLoader(),
                new Class<?>[] {ChatStore.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException("no store in this test: " + method.getName());
                });
        ChatService chat = new ChatService(unreachable, broker, new LocalConversationViewers(),
                new TypingTracker(settings, timers, System::nanoTime), (users, json, key) -> { }, settings);
        DeliveryHub hub = new DeliveryHub(QuietDelivery.EMPTY_LOG, broker, blocking, e -> e, QuietDelivery.NO_LISTENER);
        broker.start(hub);
        HeraldConfig config = HeraldConfig.builder().jwtSecret(TestServer.SECRET).apiKey(TestServer.API_KEY).build();
        TransportContext context = new TransportContext(config, JSON, null, null, null, hub,
                new SessionRegistry(), new HeraldMetrics(), blocking, new OriginPolicy(List.of()));
        WsChatHandler handler = new WsChatHandler(context, new Principal("ann", "Ann", Set.of(), null), chat, null);
        channel = new EmbeddedChannel(handler);
        handler.start();
    }

    @AfterEach
    void close() {
        errorLog.detachAppender(logs);
        channel.finishAndReleaseAll();
        blocking.shutdownNow();
        timers.shutdownNow();
    }

    /** The frames written so far, running the loop's tasks (answers from the blocking executor) first. */
    private List<JsonNode> written() throws Exception {
        channel.runPendingTasks();
        List<JsonNode> frames = new ArrayList<>();
        TextWebSocketFrame f;
        while ((f = channel.readOutbound()) != null) {
            try {
                frames.add(JSON.readTree(f.text()));
            } finally {
                f.release();
            }
        }
        return frames;
    }

    @Test
    void aFrameWhoseHandlingFailsAtOnceWithoutAChatErrorIsAnsweredInternalErrorAndTheConnectionStaysOpen()
            throws Exception {
        List<JsonNode> frames = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            frames.addAll(written());
            return frames.stream().anyMatch(f -> f.path("type").asText().equals("connected"));
        });
        // The node is shutting down: its blocking executor refuses the frame's store call, synchronously.
        blocking.shutdown();

        channel.writeInbound(new TextWebSocketFrame("{\"type\":\"read\",\"conversation_id\":7,\"seq\":1,\"ref\":\"r1\"}"));

        assertThat(written()).containsExactly(JSON.readTree(
                "{\"type\":\"error\",\"code\":\"internal_error\",\"message\":\"internal error\",\"ref\":\"r1\"}"));
        assertThat(channel.isActive()).as("connection open").isTrue();
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("user=ann");
        });
        // The connection still answers.
        channel.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\",\"id\":2}"));
        assertThat(written()).extracting(f -> f.path("type").asText()).containsExactly("pong");
    }
}
