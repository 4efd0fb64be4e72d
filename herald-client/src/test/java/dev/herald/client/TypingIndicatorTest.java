package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Chat.typing on every keystroke sends what herald.js sends: one typing, then stop_typing when idle. */
class TypingIndicatorTest {

    /** The client's frames on {@code c} until one of {@code type} (inclusive), at most 5 s. */
    private static List<String> framesUntil(ScriptedWebSocketServer.Connection c, String type) throws InterruptedException {
        List<String> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String f = c.received.poll(100, TimeUnit.MILLISECONDS);
            if (f != null) {
                frames.add(f);
                if (f.contains("\"type\":\"" + type + "\"")) {
                    return frames;
                }
            }
        }
        throw new AssertionError("no " + type + " within 5 s; got " + frames);
    }

    @Test
    void keystrokesSendOneTypingAndIdlenessSendsStopTyping() throws Exception {
        try (ScriptedWebSocketServer server = new ScriptedWebSocketServer();
             HeraldClient client = HeraldClient.builder().url(server.url()).token(Tokens.user("ty-ann", Duration.ofHours(1)))
                     .typingIdle(Duration.ofMillis(300)).build()) {
            client.chat().open();
            ScriptedWebSocketServer.Connection c = server.next();
            c.sendText("{\"type\":\"connected\",\"connection_id\":\"c1\",\"user_id\":\"ty-ann\"}");
            client.chat().connect().get(5, TimeUnit.SECONDS);

            long lastKeystroke = 0;
            for (int i = 0; i < 5; i++) {
                client.chat().typing(7);
                lastKeystroke = System.nanoTime(); // the idle time runs from the keystroke, not from the pause after it
                Thread.sleep(50); // keystrokes, closer together than the idle time
            }
            List<String> frames = framesUntil(c, "stop_typing");
            long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastKeystroke);
            assertThat(frames).containsExactly("{\"type\":\"typing\",\"conversation_id\":7}", "{\"type\":\"stop_typing\",\"conversation_id\":7}");
            assertThat(idleMillis).isGreaterThanOrEqualTo(250);

            // A message ends the typing state by itself: no stop_typing is sent for it.
            client.chat().typing(7);
            client.chat().send(7, "done");
            List<String> next = framesUntil(c, "send_message");
            assertThat(next).hasSize(2);
            assertThat(next.get(0)).isEqualTo("{\"type\":\"typing\",\"conversation_id\":7}");
            Thread.sleep(500); // bounded: longer than the idle time
            assertThat(c.received).noneMatch(f -> f.contains("stop_typing"));
        }
    }
}
